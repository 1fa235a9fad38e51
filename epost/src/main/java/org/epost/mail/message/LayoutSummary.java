package org.epost.mail.message;

import java.nio.ByteBuffer;

/**
 * The short description of a stored message that travels as {@link
 * org.epost.mail.api.StoredMail#layout()} (in notifications and folder logs): the encoding version,
 * the message's size, the length of its top-level header and its number of segments. The full
 * layout is the {@code STRUCTURE} part ({@link MessageLayout}), always part 0.
 *
 * <p>Encoding: version byte 1, size (i64), header length (i64), segment count (i32): 21 bytes.
 */
public record LayoutSummary(long size, long headerLength, int segments) {
  private static final int VERSION = 1;
  static final int BYTES = 21;

  public byte[] encode() {
    return ByteBuffer.allocate(BYTES)
        .put((byte) VERSION)
        .putLong(size)
        .putLong(headerLength)
        .putInt(segments)
        .array();
  }

  /** Decodes {@link #encode()}; throws IllegalArgumentException on anything else. */
  public static LayoutSummary decode(byte[] b) {
    if (b.length != BYTES || b[0] != VERSION) {
      throw new IllegalArgumentException("not a message layout summary");
    }
    ByteBuffer buf = ByteBuffer.wrap(b, 1, BYTES - 1);
    long size = buf.getLong();
    long header = buf.getLong();
    int segments = buf.getInt();
    if (size < 0 || header < 0 || header > size || segments < 0) {
      throw new IllegalArgumentException("inconsistent message layout summary");
    }
    return new LayoutSummary(size, header, segments);
  }
}
