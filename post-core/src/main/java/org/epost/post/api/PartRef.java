package org.epost.post.api;

import java.util.Objects;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoFormatException;

/**
 * The reference to one part of a stored message: the {@link ContentKey} of the root of its block
 * tree (a {@code DATA} leaf for a part of up to 48 KiB, a {@code MANIFEST} interior block above).
 * Its {@link ContentKey#length()} is the part's length in bytes. Immutable and thread-safe;
 * encodable so that a notification may carry a part's reference beside the message's.
 */
public final class PartRef {
  private final ContentKey root;

  /** Wraps a part's root key. */
  public PartRef(ContentKey root) {
    this.root = Objects.requireNonNull(root, "root");
  }

  /** The root block's content key. */
  public ContentKey root() {
    return root;
  }

  /** The part's length in bytes. */
  public long length() {
    return root.length();
  }

  /** The canonical encoding (the root's {@link ContentKey} encoding). */
  public byte[] encode() {
    return root.encode();
  }

  /** Decodes {@link #encode()}'s output. */
  public static PartRef decode(byte[] encoded) throws CryptoFormatException {
    return new PartRef(ContentKey.decode(encoded));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PartRef p && p.root.equals(root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  @Override
  public String toString() {
    return "PartRef(" + root.id() + ", " + root.length() + " bytes)";
  }
}
