package org.epost.post.api;

import java.util.Objects;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoFormatException;

/**
 * The reference to one stored message: the {@link ContentKey} of its message block (block id, key,
 * length). Whoever holds it can open and read the message; it is what a notification seals to each
 * recipient and what a folder log entry records. Every recipient of one message receives the same
 * reference, so the message is stored once (ADR 0100).
 *
 * <p>Immutable and thread-safe. {@link #encode()} is canonical: equal references encode to equal
 * bytes.
 */
public final class MessageRef {
  private final ContentKey block;

  /** Wraps the message block's key (kind {@code DATA}). */
  public MessageRef(ContentKey block) {
    this.block = Objects.requireNonNull(block, "block");
    if (block.kind() != ContentKey.Kind.DATA) {
      throw new IllegalArgumentException("a message block is a DATA block");
    }
  }

  /** The message block's content key. */
  public ContentKey block() {
    return block;
  }

  /** The canonical encoding (the {@link ContentKey} encoding, 100 bytes), for sealing and logs. */
  public byte[] encode() {
    return block.encode();
  }

  /**
   * Decodes {@link #encode()}'s output.
   *
   * @throws CryptoFormatException if the bytes are not a message reference
   */
  public static MessageRef decode(byte[] encoded) throws CryptoFormatException {
    ContentKey key = ContentKey.decode(encoded);
    if (key.kind() != ContentKey.Kind.DATA) {
      throw new CryptoFormatException("a message reference names a DATA block");
    }
    return new MessageRef(key);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageRef m && m.block.equals(block);
  }

  @Override
  public int hashCode() {
    return block.hashCode();
  }

  /** Shows the block id only, never the key. */
  @Override
  public String toString() {
    return "MessageRef(" + block.id() + ")";
  }
}
