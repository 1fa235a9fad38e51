package org.epost.overlay.scribe.api;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.LoopOnly;

/**
 * Scribe multicast on one overlay node: topics, each with a tree made of the reverse of the join
 * routes towards the topic's key, rooted at the live node numerically closest to the key.
 *
 * <p><b>Best effort.</b> A publication reaches the subscribers that are attached while it flows
 * down the tree. Trees repair themselves (a child whose parent fails re-joins; a new root takes
 * over when the old one fails or a closer node joins) and a re-joined child is sent the recent
 * publications it missed, but nothing is stored durably and nothing is acknowledged end to end: the
 * reliable layer is POST's notification service.
 *
 * <p><b>Threading.</b> Every method must be called on the node's event loop (the overlay's {@code
 * NodeEnvironment.scheduler()}); every upcall and every completion of a returned stage happens
 * there.
 *
 * <p><b>Failures.</b> A condition of the node or the network comes through the returned stage,
 * never as a synchronous throw: {@link ScribeException.NotReadyException} (retryable) when the
 * overlay node has not joined the ring yet or Scribe was stopped, {@link
 * ScribeException.TopicLimitException} when this node takes part in too many topics. Only a
 * caller's mistake throws at once: {@link IllegalArgumentException} for a payload over {@link
 * ScribeConfig#maxPayloadBytes}.
 */
@LoopOnly
public interface Scribe {
  /**
   * Subscribes {@code client} to {@code topic}: joins the tree (if this node is not in it yet) and
   * calls {@link ScribeClient#subscribed} once attached. Subscribing again replaces the client.
   *
   * @return completes when this node is attached to the tree and the client was told ({@link
   *     ScribeClient#subscribed}); joins are retried for as long as the subscription stands, so it
   *     has no deadline of its own. Fails with {@link ScribeException.NotReadyException} if the
   *     overlay node has not joined or Scribe is stopped (also if stopped before attaching), with
   *     {@link ScribeException.TopicLimitException} if this node already takes part in {@link
   *     ScribeConfig#maxTopics} topics; is cancelled if the topic is unsubscribed before attaching.
   */
  CompletionStage<Void> subscribe(TopicId topic, ScribeClient client);

  /**
   * Stops local delivery for {@code topic}; the node leaves the tree unless it still forwards for
   * children.
   */
  void unsubscribe(TopicId topic);

  /**
   * Publishes {@code payload}: it is routed to the topic's root and flows down the tree to every
   * attached subscriber (this node included, if subscribed). If this node is the root, local
   * subscribers may be called before this method returns.
   *
   * @return completes with the publication's id, as subscribers will see it, once it is routed
   *     towards the root (nothing acknowledges delivery); fails with {@link
   *     ScribeException.NotReadyException} if the overlay node has not joined or Scribe is stopped
   * @throws IllegalArgumentException if the payload exceeds {@link ScribeConfig#maxPayloadBytes}
   */
  CompletionStage<Long> publish(TopicId topic, byte[] payload);

  /**
   * Delivers {@code payload} to one subscriber of {@code topic} that accepts it: routed towards the
   * root until it meets the tree, then a depth-first search of the tree, nearest child first (by
   * the round-trip time children report), asking each subscriber's {@link ScribeClient#anycast}.
   *
   * @return completes with the search's result; fails with {@link
   *     ScribeException.NotReadyException} if the overlay node has not joined or Scribe is stopped
   * @throws IllegalArgumentException if the payload exceeds {@link ScribeConfig#maxPayloadBytes}
   */
  CompletionStage<AnycastResult> anycast(TopicId topic, byte[] payload);

  /** Topics with a local subscriber. */
  Set<TopicId> subscriptions();

  /** This node's part in {@code topic}'s tree, or null if it takes no part. */
  TopicView view(TopicId topic);

  /** Topics this node takes part in (subscriber, forwarder or root). */
  int topicCount();

  ScribeStatistics statistics();

  /**
   * Stops the maintenance timer; the node stops taking part in trees (peers see it as failed).
   * Subscriptions not yet attached fail with {@link ScribeException.NotReadyException}, and so does
   * every later subscribe, publish and anycast.
   */
  void stop();
}
