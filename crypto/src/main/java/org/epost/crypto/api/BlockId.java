package org.epost.crypto.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The id of an immutable block: the SHA-256 of the block's stored bytes (its ciphertext). Any
 * storer can check a block against its id with {@link #matches} without holding any key. Immutable
 * and thread-safe.
 */
public final class BlockId {
  /** Length in bytes. */
  public static final int LENGTH = 32;

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 missing from the JDK", e);
            }
          });

  private final byte[] bytes;

  private BlockId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Wraps a 32-byte id.
   *
   * @throws CryptoFormatException if {@code id} is not 32 bytes
   */
  public static BlockId fromBytes(byte[] id) throws CryptoFormatException {
    if (id == null || id.length != LENGTH) {
      throw new CryptoFormatException("a block id is 32 bytes");
    }
    return new BlockId(id.clone());
  }

  /** Takes ownership of a 32-byte digest without copying (for this module's own use). */
  public static BlockId ofDigest(byte[] digest) {
    if (digest.length != LENGTH) {
      throw new IllegalArgumentException("a block id is 32 bytes");
    }
    return new BlockId(digest);
  }

  /** The id of {@code block}. */
  public static BlockId of(byte[] block) {
    return of(block, 0, block.length);
  }

  /** The id of {@code block[off, off+len)}. */
  public static BlockId of(byte[] block, int off, int len) {
    MessageDigest sha = SHA256.get();
    sha.update(block, off, len);
    return new BlockId(sha.digest());
  }

  /** Whether {@code block} hashes to this id (constant-time comparison). */
  public boolean matches(byte[] block) {
    return MessageDigest.isEqual(bytes, of(block).bytes);
  }

  /** The 32 bytes (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockId && Arrays.equals(bytes, ((BlockId) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** 64 lower-case hex digits. */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
