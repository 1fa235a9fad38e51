package org.epost.crypto.encoding;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.epost.crypto.api.CryptoFormatException;

/**
 * Strict, schema-driven reader for one canonical encoding. Every method that reads untrusted bytes
 * throws {@link CryptoFormatException} and nothing else on malformed input.
 */
public final class CanonicalReader {
  /** Longest context string accepted. */
  static final int MAX_CONTEXT = 64;

  /** Largest field length the format can express (16 MiB; a 4-byte varint holds 2^28 - 1). */
  public static final int MAX_LENGTH = 16 * 1024 * 1024;

  private final byte[] in;
  private final int end;
  private final int version;
  private int pos;
  private int lastTag;

  private CanonicalReader(
      byte[] in, int off, int len, String context, int minVersion, int maxVersion)
      throws CryptoFormatException {
    if (in == null) {
      throw new CryptoFormatException("no bytes to decode");
    }
    if (off < 0 || len < 0 || off > in.length - len) {
      throw new IllegalArgumentException("slice out of range");
    }
    this.in = in;
    this.pos = off;
    this.end = off + len;
    int ctxLen = readVarint();
    if (ctxLen > MAX_CONTEXT) {
      throw new CryptoFormatException("context string too long");
    }
    byte[] expected = context.getBytes(StandardCharsets.US_ASCII);
    need(ctxLen);
    if (ctxLen != expected.length
        || !Arrays.equals(in, pos, pos + ctxLen, expected, 0, expected.length)) {
      throw new CryptoFormatException("not a " + context + " encoding (wrong context string)");
    }
    pos += ctxLen;
    need(1);
    version = in[pos++] & 0xFF;
    if (version < minVersion || version > maxVersion) {
      throw new CryptoFormatException(
          "unsupported "
              + context
              + " version "
              + version
              + " (this build reads "
              + minVersion
              + ".."
              + maxVersion
              + ")");
    }
  }

  /** Opens {@code in} as an encoding of {@code context}, accepting exactly {@code version}. */
  public static CanonicalReader open(byte[] in, String context, int version)
      throws CryptoFormatException {
    return new CanonicalReader(in, 0, in == null ? 0 : in.length, context, version, version);
  }

  /** Opens a slice of {@code in}; see {@link #open(byte[], String, int)}. */
  public static CanonicalReader open(byte[] in, int off, int len, String context, int version)
      throws CryptoFormatException {
    return new CanonicalReader(in, off, len, context, version, version);
  }

  /** The version byte that was read. */
  public int version() {
    return version;
  }

  /** Offset of the next unread byte in the underlying array. */
  public int position() {
    return pos;
  }

  /** Reads field {@code tag} whose length must be exactly {@code length}. */
  public byte[] bytes(int tag, int length) throws CryptoFormatException {
    return bytes(tag, length, length);
  }

  /** Reads field {@code tag} whose length must lie in {@code [min, max]}. */
  public byte[] bytes(int tag, int min, int max) throws CryptoFormatException {
    int len = field(tag);
    if (len < min || len > max) {
      throw new CryptoFormatException(
          "field " + tag + " has length " + len + ", expected " + min + ".." + max);
    }
    byte[] value = Arrays.copyOfRange(in, pos, pos + len);
    pos += len;
    return value;
  }

  /** Reads field {@code tag} and returns its offset in the underlying array without copying. */
  public int slice(int tag, int min, int max) throws CryptoFormatException {
    int len = field(tag);
    if (len < min || len > max) {
      throw new CryptoFormatException(
          "field " + tag + " has length " + len + ", expected " + min + ".." + max);
    }
    int at = pos;
    pos += len;
    return at;
  }

  /** Reads an 8-byte big-endian integer field. */
  public long u64(int tag) throws CryptoFormatException {
    byte[] b = bytes(tag, 8);
    return ByteBuffer.wrap(b).getLong();
  }

  /** Reads a 4-byte big-endian integer field. */
  public int u32(int tag) throws CryptoFormatException {
    byte[] b = bytes(tag, 4);
    return ByteBuffer.wrap(b).getInt();
  }

  /** Reads a 1-byte unsigned integer field. */
  public int u8(int tag) throws CryptoFormatException {
    return bytes(tag, 1)[0] & 0xFF;
  }

  /** Reads a UTF-8 text field of {@code min..max} bytes; malformed UTF-8 is rejected. */
  public String text(int tag, int min, int max) throws CryptoFormatException {
    byte[] b = bytes(tag, min, max);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CryptoFormatException("field " + tag + " is not valid UTF-8");
    }
  }

  /** Asserts that every byte has been consumed. */
  public void end() throws CryptoFormatException {
    if (pos != end) {
      throw new CryptoFormatException((end - pos) + " unexpected trailing bytes");
    }
  }

  private int field(int tag) throws CryptoFormatException {
    need(1);
    int actual = in[pos] & 0xFF;
    if (actual != tag || tag <= lastTag) {
      throw new CryptoFormatException("expected field " + tag + " but found field " + actual);
    }
    pos++;
    lastTag = tag;
    int len = readVarint();
    need(len);
    return len;
  }

  private int readVarint() throws CryptoFormatException {
    int value = 0;
    for (int i = 0; i < 4; i++) {
      need(1);
      int b = in[pos++] & 0xFF;
      value |= (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new CryptoFormatException("non-canonical length encoding");
        }
        if (value > MAX_LENGTH) {
          throw new CryptoFormatException("length " + value + " exceeds " + MAX_LENGTH);
        }
        return value;
      }
    }
    throw new CryptoFormatException("length encoding longer than 4 bytes");
  }

  private void need(int n) throws CryptoFormatException {
    if (n > end - pos) {
      throw new CryptoFormatException("truncated: need " + n + " more bytes, have " + (end - pos));
    }
  }
}
