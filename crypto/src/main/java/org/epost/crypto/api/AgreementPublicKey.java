package org.epost.crypto.api;

import java.util.Arrays;
import java.util.HexFormat;

/** An X25519 public key (RFC 7748, 32 bytes). Immutable; equality is by bytes. */
public final class AgreementPublicKey {
  /** Encoded length in bytes. */
  public static final int LENGTH = 32;

  private final byte[] bytes;

  private AgreementPublicKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Wraps 32 bytes as an X25519 public key. Every 32-byte string is a valid u-coordinate; low-order
   * points are caught when the agreement yields zero.
   *
   * @throws CryptoFormatException if {@code encoded} is not 32 bytes
   */
  public static AgreementPublicKey fromBytes(byte[] encoded) throws CryptoFormatException {
    if (encoded == null || encoded.length != LENGTH) {
      throw new CryptoFormatException("an X25519 public key is 32 bytes");
    }
    return new AgreementPublicKey(encoded.clone());
  }

  static AgreementPublicKey wrap(byte[] owned) {
    return new AgreementPublicKey(owned);
  }

  /** The 32-byte encoding (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  byte[] raw() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgreementPublicKey && Arrays.equals(bytes, ((AgreementPublicKey) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "X25519:" + HexFormat.of().formatHex(bytes, 0, 8);
  }
}
