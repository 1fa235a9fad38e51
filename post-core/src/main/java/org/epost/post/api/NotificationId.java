package org.epost.post.api;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A notification's random 16-byte id, chosen by the sender from a secure generator. The recipient
 * delivers each id once (Scribe and the pending store may both bring it); receipts name it.
 * Immutable; equality by bytes.
 */
public final class NotificationId {
  /** Length of an id in bytes. */
  public static final int LENGTH = 16;

  private final byte[] bytes;

  private NotificationId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps {@code bytes} (copied); they must be {@link #LENGTH} long. */
  public static NotificationId of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("a notification id is " + LENGTH + " bytes");
    }
    return new NotificationId(bytes.clone());
  }

  /** The id's bytes (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NotificationId && Arrays.equals(bytes, ((NotificationId) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "notification-" + HexFormat.of().formatHex(bytes, 0, 6);
  }
}
