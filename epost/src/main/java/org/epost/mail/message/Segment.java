package org.epost.mail.message;

/**
 * One byte range of a message and the stored part that holds it: segments in order, concatenated,
 * are the message's exact bytes.
 *
 * @param offset where the segment starts in the message
 * @param length its length in bytes (positive)
 * @param partIndex the stored part holding exactly these bytes
 */
public record Segment(long offset, long length, int partIndex) {
  public Segment {
    if (offset < 0 || length <= 0 || partIndex < 0) {
      throw new IllegalArgumentException("bad segment " + offset + "+" + length + "@" + partIndex);
    }
  }

  /** One past the segment's last byte. */
  public long end() {
    return offset + length;
  }
}
