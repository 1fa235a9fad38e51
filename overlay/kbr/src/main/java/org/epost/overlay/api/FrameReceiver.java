package org.epost.overlay.api;

/** The node side of a {@link Transport}: called on the node's event loop. */
public interface FrameReceiver {
  /**
   * A whole frame arrived from {@code from}. The array belongs to the receiver. The transport has
   * already checked the frame against its maximum size.
   */
  void receive(Address from, byte[] frame);

  /**
   * A hint that {@code to} could not be reached (connection refused or reset). Optional: the
   * virtual network never calls it (frames to a dead node vanish), so protocol code must detect
   * failures by timeouts anyway.
   */
  default void unreachable(Address to) {}
}
