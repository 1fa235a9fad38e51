package org.epost.crypto.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 160-bit overlay node identifier. Immutable; ordered as an unsigned big-endian number.
 *
 * <p>Two ways to get one (ADR 0011): {@link #fromPublicKey} derives it from the node's Ed25519 key
 * (first 20 bytes of SHA-256 over a domain-separated encoding), which any peer can check without an
 * authority; in a ring with an authority, a {@code NodeCertificate} binds an id the authority chose
 * (at random, so that nobody can grind keys to pick a spot in the id space) to the node's key.
 */
public final class NodeId implements Comparable<NodeId> {
  /** Length in bytes (160 bits). */
  public static final int LENGTH = 20;

  private static final byte[] DOMAIN = "epost/node-id/v1\0".getBytes(StandardCharsets.US_ASCII);

  private final byte[] bytes;

  private NodeId(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Wraps 20 bytes.
   *
   * @throws CryptoFormatException if {@code id} is not 20 bytes
   */
  public static NodeId fromBytes(byte[] id) throws CryptoFormatException {
    if (id == null || id.length != LENGTH) {
      throw new CryptoFormatException("a node id is 20 bytes");
    }
    return new NodeId(id.clone());
  }

  /** SHA-256("epost/node-id/v1" || 0x00 || key)[0..20). */
  public static NodeId fromPublicKey(SigningPublicKey key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(DOMAIN);
      sha.update(key.toBytes());
      return new NodeId(Arrays.copyOf(sha.digest(), LENGTH));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** The 20 bytes (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public int compareTo(NodeId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeId && Arrays.equals(bytes, ((NodeId) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** 40 lower-case hex digits. */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
