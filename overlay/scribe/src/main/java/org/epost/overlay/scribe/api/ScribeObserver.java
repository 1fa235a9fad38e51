package org.epost.overlay.scribe.api;

import org.epost.overlay.api.NodeHandle;

/**
 * Optional hooks that report where publications travel, for experiments and diagnostics (the
 * simulator measures link stress and delay with them). Called on the node's event loop; must be
 * cheap and must not call back into Scribe.
 */
public interface ScribeObserver {
  /** Which part of its journey a copy of a publication is on. */
  enum Leg {
    /** Routed from the publisher towards the topic's root (one overlay hop). */
    TO_ROOT,
    /** Sent down (or up) a tree edge. */
    TREE,
    /** Sent again to a child that rejoined and missed it. */
    RESEND
  }

  /** This node sends a copy of publication {@code publicationId} to {@code to}. */
  default void publicationSent(TopicId topic, long publicationId, NodeHandle to, Leg leg) {}

  /** Publication {@code publicationId} arrived at this node as the topic's root. */
  default void publicationAtRoot(TopicId topic, long publicationId) {}

  /** Observes nothing. */
  ScribeObserver NONE = new ScribeObserver() {};
}
