package org.epost.overlay.api;

/**
 * An application message as seen by an {@link OverlayApplication} upcall. Immutable view: the
 * payload is the application's own encoding (each application versions its own codec).
 */
public interface RoutedMessage {
  /**
   * The key the message is routed towards; null for a direct message ({@link
   * AppEndpoint#sendDirect}).
   */
  Id key();

  /** The node that called {@code route} or {@code sendDirect}. */
  NodeHandle source();

  /** Overlay hops travelled so far (0 when delivered at the source). */
  int hops();

  /** The application id the message belongs to. */
  int applicationId();

  /** A copy of the application's bytes. */
  byte[] payload();

  /** The payload length in bytes, without copying. */
  int payloadLength();
}
