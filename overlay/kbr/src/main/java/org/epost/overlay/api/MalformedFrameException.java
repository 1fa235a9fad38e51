package org.epost.overlay.api;

/**
 * A received frame violates the wire format or one of its bounds (size, list length, version). The
 * receiver counts it and drops the frame; the node keeps running.
 */
public final class MalformedFrameException extends Exception {
  public MalformedFrameException(String message) {
    super(message);
  }

  /** Throws with {@code message} unless {@code condition} holds. */
  public static void require(boolean condition, String message) throws MalformedFrameException {
    if (!condition) {
      throw new MalformedFrameException(message);
    }
  }
}
