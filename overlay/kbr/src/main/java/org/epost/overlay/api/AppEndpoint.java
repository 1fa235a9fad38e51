package org.epost.overlay.api;

import java.util.List;

/**
 * What an application holds after {@link KeyBasedRouter#register}: it sends messages tagged with
 * its application id.
 *
 * <p>Threading: {@link #route}, {@link #sendDirect} and {@link #replicaSet} run only on the node's
 * event loop and throw {@link IllegalStateException} elsewhere (cross with {@link LoopBridge}).
 */
public interface AppEndpoint {
  /** The application id this endpoint sends under. */
  @AnyThread
  int applicationId();

  /**
   * Routes {@code payload} to the live node whose id is numerically closest to {@code key}. Each
   * hop is acknowledged; a hop that does not answer is routed around. Delivery is not guaranteed
   * (e.g. the whole leaf set failed) but is not lost because one node on the route fails.
   *
   * @param hint a first hop to try, or null
   * @throws IllegalArgumentException if the payload exceeds {@link
   *     KeyBasedRouter#MAX_PAYLOAD_BYTES}
   * @throws IllegalStateException if the node is not ready (not joined) or has been stopped, or if
   *     called off the node's event loop
   */
  @LoopOnly
  void route(Id key, byte[] payload, NodeHandle hint);

  /**
   * Sends {@code payload} straight to {@code to}, best effort; it arrives via {@code deliver} with
   * a null key.
   */
  @LoopOnly
  void sendDirect(NodeHandle to, byte[] payload);

  /** See {@link KeyBasedRouter#replicaSet}. */
  @LoopOnly
  List<NodeHandle> replicaSet(Id key, int k);

  /** The router this endpoint belongs to. */
  @AnyThread
  KeyBasedRouter router();
}
