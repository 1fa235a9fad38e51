package org.epost.overlay.api;

/** Per-node counters, read on the node's event loop. */
public interface NodeStatistics {
  /** Frames dropped because they could not be decoded or broke a bound. */
  long malformedFrames();

  /** Hops that did not acknowledge in time, after which the message was sent elsewhere. */
  long reroutes();

  /**
   * Routed messages given up (no live next hop, hop limit, or pending-acknowledgement table full).
   */
  long droppedMessages();

  /** Join requests refused because too many were being handled at once. */
  long refusedJoins();

  /**
   * Times this node, ready but with an empty leaf set, sent a JOIN for its own id to get back into
   * the ring.
   */
  long rejoins();
}
