package org.epost.overlay.scribe.api;

import org.epost.overlay.api.NodeHandle;

/**
 * What a subscriber gives {@link Scribe#subscribe}: upcalls for one topic. Every upcall runs on the
 * node's event loop and must not block.
 */
public interface ScribeClient {
  /** A publication reached this subscriber. Called at most once per publication id. */
  void deliver(Publication publication);

  /**
   * An anycast reached this subscriber. Return true to accept it (the search stops here and the
   * sender learns this node), false to let the search go on to other subscribers.
   */
  default boolean anycast(TopicId topic, byte[] payload, NodeHandle sender) {
    return false;
  }

  /**
   * This node is attached to the topic's tree (its path to the root is complete). From now on it
   * receives, best effort, every publication made after this call. Called once per subscription.
   */
  default void subscribed(TopicId topic) {}
}
