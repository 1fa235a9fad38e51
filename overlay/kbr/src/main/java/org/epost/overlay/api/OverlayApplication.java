package org.epost.overlay.api;

/**
 * Upcalls from the overlay to an application (PAST, Scribe, a lookup workload). Register with
 * {@link KeyBasedRouter#register}.
 *
 * <p>Threading: every upcall runs on the node's event loop and must not block; heavy work goes to
 * {@link NodeEnvironment#offLoop()}.
 */
@LoopOnly
public interface OverlayApplication {
  /**
   * This node is the root for {@code message.key()}: the numerically closest ready node it knows of
   * (decided from the leaf set). Also called for direct messages, with a null key.
   */
  void deliver(RoutedMessage message);

  /**
   * The message passes through this node on its way to {@code nextHop} (which may be this node's
   * own handle just before {@link #deliver}). Return true to let it continue, false to consume it
   * here (e.g. Scribe intercepting a subscribe); a consumed message goes no further.
   */
  default boolean forward(RoutedMessage message, NodeHandle nextHop) {
    return true;
  }

  /** A node joined ({@code joined == true}) or left this node's leaf set. */
  default void update(NodeHandle handle, boolean joined) {}
}
