package org.epost.crypto.encoding;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds one canonical encoding; see the package documentation for the format. */
public final class CanonicalWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
  private int lastTag;

  private CanonicalWriter(String context, int version) {
    byte[] ctx = context.getBytes(StandardCharsets.US_ASCII);
    if (ctx.length == 0 || ctx.length > CanonicalReader.MAX_CONTEXT) {
      throw new IllegalArgumentException("bad context string: " + context);
    }
    if (version < 0 || version > 255) {
      throw new IllegalArgumentException("version out of range: " + version);
    }
    writeVarint(ctx.length);
    out.writeBytes(ctx);
    out.write(version);
  }

  /** Starts an object with the given context string (ASCII) and version (0..255). */
  public static CanonicalWriter start(String context, int version) {
    return new CanonicalWriter(context, version);
  }

  /** Writes a byte-string field. Tags must be written in strictly increasing order. */
  public CanonicalWriter bytes(int tag, byte[] value) {
    return bytes(tag, value, 0, value.length);
  }

  /** Writes a byte-string field from a slice of {@code value}. */
  public CanonicalWriter bytes(int tag, byte[] value, int off, int len) {
    tag(tag);
    writeVarint(len);
    out.write(value, off, len);
    return this;
  }

  /** Writes a 64-bit integer as an 8-byte big-endian field. */
  public CanonicalWriter u64(int tag, long value) {
    tag(tag);
    writeVarint(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (value >>> shift));
    }
    return this;
  }

  /** Writes a 32-bit integer as a 4-byte big-endian field. */
  public CanonicalWriter u32(int tag, int value) {
    tag(tag);
    writeVarint(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.write(value >>> shift);
    }
    return this;
  }

  /** Writes an 8-bit integer (0..255) as a 1-byte field. */
  public CanonicalWriter u8(int tag, int value) {
    if (value < 0 || value > 255) {
      throw new IllegalArgumentException("u8 out of range: " + value);
    }
    tag(tag);
    writeVarint(1);
    out.write(value);
    return this;
  }

  /** Writes a UTF-8 text field. */
  public CanonicalWriter text(int tag, String value) {
    return bytes(tag, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Number of bytes written so far (for example, where the signed part ends). */
  public int size() {
    return out.size();
  }

  /** The encoding so far. The writer may continue to be used afterwards. */
  public byte[] toByteArray() {
    return out.toByteArray();
  }

  private void tag(int tag) {
    if (tag <= lastTag || tag > 255) {
      throw new IllegalArgumentException("tags must increase within 1..255: " + tag);
    }
    lastTag = tag;
    out.write(tag);
  }

  private void writeVarint(int value) {
    if (value < 0 || value > CanonicalReader.MAX_LENGTH) {
      throw new IllegalArgumentException("length out of range: " + value);
    }
    int v = value;
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }
}
