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
   * Sends {@code frame} (at most {@link #MAX_FRAME_BYTES}) to the node with id {@code expectedId}
   * at {@code to}; returns immediately. The transport owns the array afterwards. Delivery is not
   * guaranteed.
   *
   * <p>The transport delivers the frame only to a node that proves it holds {@code expectedId}
   * (TCP: the id proven in the TLS handshake; the virtual network: the id of the node living at
   * {@code to}). If a different node answers at {@code to}, the frame is dropped, never delivered
   * to it, and the node may get an {@link FrameReceiver#unreachable} hint: a handle that names one
   * node's id with another node's address (a stale or lying advertisement) cannot divert traffic.
   *
   * @param expectedId the id the sender expects at {@code to}, or null only for the first contact
   *     with a bootstrap address whose id is not known yet (any proven id is then accepted)
   * @throws IllegalArgumentException if the frame is larger than {@link #MAX_FRAME_BYTES}
   */
  void send(Address to, Id expectedId, byte[] frame);

  /**
   * Installs the receiver; frames arrive on the node's event loop. Called once, before traffic.
   *
   * <p>Threading: {@link #send} may be called from any thread in real mode (it never blocks) and is
   * called on the loop by protocol code; frames and hints reach the receiver on the loop.
   */
  void setReceiver(FrameReceiver receiver);
}
