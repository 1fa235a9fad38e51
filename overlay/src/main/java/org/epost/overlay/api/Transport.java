package org.epost.overlay.api;

/**
 * Carries opaque frames between nodes. Unreliable and unordered in general (the virtual network
 * keeps per-pair order only by accident of its latency model); the overlay adds acknowledgements
 * where it needs them.
 */
public interface Transport {
  /** Largest frame a transport accepts or delivers, in bytes. */
  int MAX_FRAME_BYTES = 64 * 1024;

  /** Where this node is reached. */
  Address localAddress();

  /**
   * Sends {@code frame} (at most {@link #MAX_FRAME_BYTES}) to {@code to}; returns immediately.
   * The transport owns the array afterwards. Delivery is not guaranteed.
   *
   * @throws IllegalArgumentException if the frame is larger than {@link #MAX_FRAME_BYTES}
   */
  void send(Address to, byte[] frame);

  /** Installs the receiver; frames arrive on the node's event loop. Called once, before traffic. */
  void setReceiver(FrameReceiver receiver);
}
