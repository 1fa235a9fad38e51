package org.epost.overlay.scribe;

import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.api.TopicId;

/** Scribe's wire messages. Arrays inside are owned by the message; do not modify after creation. */
sealed interface ScribeMessage {

  /** Routed to the topic key (or sent direct after a redirect): "make the sender your child". */
  record Join(TopicId topic, boolean repair, long[] seen, int redirects) implements ScribeMessage {}

  /**
   * Parent to child: "you are my child"; {@code path} holds the nodes from the root down to the
   * sender.
   */
  record JoinAck(TopicId topic, NodeHandle[] path) implements ScribeMessage {}

  /** A full node to a joiner: "try one of these instead" (children of the sender). */
  record JoinRedirect(TopicId topic, NodeHandle[] candidates) implements ScribeMessage {}

  /** Child to parent: "drop me" (or to a node that wrongly believes it is our parent). */
  record Leave(TopicId topic) implements ScribeMessage {}

  /** Child to parent, one per parent per period, for all topics shared with that parent. */
  record Heartbeat(int nonce, int rttMillis, TopicId[] topics) implements ScribeMessage {}

  /**
   * Parent to child: per topic of the heartbeat, in order, 0 = "not my child", else the parent's
   * depth + 1 in the low 8 bits and its estimated delay from the root, in milliseconds, above them.
   */
  record HeartbeatAck(int nonce, int[] status) implements ScribeMessage {}

  /**
   * A child to one of its ancestors: "how far are you from the root?" (and the round trip measures
   * how far from us).
   */
  record Probe(TopicId topic, int nonce) implements ScribeMessage {}

  /**
   * The answer: the sender's estimated delay from the root in ms, or -1 if it cannot take a child
   * for the topic.
   */
  record ProbeReply(TopicId topic, int nonce, int rootDelayMillis) implements ScribeMessage {}

  /** Routed from the publisher to the topic key. */
  record Publish(TopicId topic, long publicationId, byte[] payload) implements ScribeMessage {}

  /**
   * A publication on a tree edge; {@code depth} is the receiver's depth, {@code up} marks upward
   * flow.
   */
  record Data(
      TopicId topic,
      long publicationId,
      NodeHandle publisher,
      int depth,
      boolean up,
      byte[] payload)
      implements ScribeMessage {}

  /**
   * An anycast: routed to the topic key until it meets the tree, then passed direct along a
   * depth-first search.
   */
  record Anycast(
      TopicId topic,
      long anycastId,
      NodeHandle origin,
      Id[] visited,
      NodeHandle[] stack,
      byte[] payload)
      implements ScribeMessage {}

  /** To the anycast's origin: accepted by the sender, or nobody took it. */
  record AnycastResult(long anycastId, boolean accepted) implements ScribeMessage {}
}
