package org.epost.crypto.api;

import java.security.MessageDigest;
import java.util.Arrays;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;

/**
 * Everything a reader needs to fetch and decrypt one piece of content: the id of its root block,
 * the root block's key, whether the root is a single data block or a manifest of chunks, and the
 * plaintext length. This is what a sender seals into a notification. Immutable.
 */
public final class ContentKey {
  /** What the root block holds. */
  public enum Kind {
    /** The whole content in one block (content up to one chunk). */
    DATA(1),
    /** A manifest listing the chunk blocks of larger content. */
    MANIFEST(2);

    private final int code;

    Kind(int code) {
      this.code = code;
    }

    /** The byte written into blocks and encodings. */
    public int code() {
      return code;
    }

    /** The kind for {@code code}, or a format error. */
    public static Kind ofCode(int code) throws CryptoFormatException {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      throw new CryptoFormatException("unknown block kind " + code);
    }
  }

  /** AES-256 key length. */
  public static final int KEY_LENGTH = 32;

  private static final String CONTEXT = "epost/content-key";

  private final BlockId id;
  private final byte[] key;
  private final Kind kind;
  private final long length;

  /** Builds a content key; {@code key} is copied. */
  public ContentKey(BlockId id, byte[] key, Kind kind, long length) {
    if (key.length != KEY_LENGTH || length < 0) {
      throw new IllegalArgumentException("content key must be 32 bytes, length >= 0");
    }
    this.id = id;
    this.key = key.clone();
    this.kind = kind;
    this.length = length;
  }

  /** Id of the root block. */
  public BlockId id() {
    return id;
  }

  /** The root block's AES-256 key (a copy). */
  public byte[] key() {
    return key.clone();
  }

  /** Kind of the root block. */
  public Kind kind() {
    return kind;
  }

  /** Plaintext length in bytes. */
  public long length() {
    return length;
  }

  /** Canonical encoding, for sealing into a notification. */
  public byte[] encode() {
    return CanonicalWriter.start(CONTEXT, 1)
        .bytes(1, id.toBytes())
        .bytes(2, key)
        .u8(3, kind.code())
        .u64(4, length)
        .toByteArray();
  }

  /** Decodes {@link #encode()}'s output. */
  public static ContentKey decode(byte[] encoded) throws CryptoFormatException {
    CanonicalReader r = CanonicalReader.open(encoded, CONTEXT, 1);
    BlockId id = BlockId.fromBytes(r.bytes(1, BlockId.LENGTH));
    byte[] key = r.bytes(2, KEY_LENGTH);
    Kind kind = Kind.ofCode(r.u8(3));
    long length = r.u64(4);
    r.end();
    if (length < 0) {
      throw new CryptoFormatException("negative content length");
    }
    return new ContentKey(id, key, kind, length);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ContentKey)) {
      return false;
    }
    ContentKey k = (ContentKey) o;
    return id.equals(k.id)
        && MessageDigest.isEqual(key, k.key)
        && kind == k.kind
        && length == k.length;
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "ContentKey(" + kind + ", " + id + ", " + length + " bytes)";
  }
}
