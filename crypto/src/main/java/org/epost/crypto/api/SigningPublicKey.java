package org.epost.crypto.api;

import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 public key (RFC 8032, 32 bytes). Immutable and thread-safe; equality is by bytes.
 *
 * <p>Verification uses Bouncy Castle's Ed25519, which rejects non-canonical signatures (S &gt;= L);
 * JMH showed it several times faster than the JDK 17 provider (see docs/benchmarks/crypto.md and
 * ADR 0010).
 */
public final class SigningPublicKey {
  /** Encoded length in bytes. */
  public static final int LENGTH = 32;

  /** Signature length in bytes. */
  public static final int SIGNATURE_LENGTH = 64;

  private final byte[] bytes;
  private final Ed25519PublicKeyParameters params;

  private SigningPublicKey(byte[] bytes, Ed25519PublicKeyParameters params) {
    this.bytes = bytes;
    this.params = params;
  }

  /**
   * Decodes a public key.
   *
   * @throws CryptoFormatException if {@code encoded} is not 32 bytes or not a valid point
   */
  public static SigningPublicKey fromBytes(byte[] encoded) throws CryptoFormatException {
    if (encoded == null || encoded.length != LENGTH) {
      throw new CryptoFormatException("an Ed25519 public key is 32 bytes");
    }
    VerificationMemo memo = VerificationMemo.installed();
    if (memo != null) {
      SigningPublicKey known = memo.decodedKey(encoded);
      if (known != null) {
        return known;
      }
    }
    byte[] copy = encoded.clone();
    if (!Ed25519.validatePublicKeyPartial(copy, 0)) {
      throw new CryptoFormatException("not a valid Ed25519 public key");
    }
    SigningPublicKey key;
    try {
      key = new SigningPublicKey(copy, new Ed25519PublicKeyParameters(copy, 0));
    } catch (RuntimeException e) {
      throw new CryptoFormatException("not a valid Ed25519 public key", e);
    }
    if (memo != null) {
      memo.rememberKey(key);
    }
    return key;
  }

  static SigningPublicKey of(Ed25519PublicKeyParameters params) {
    return new SigningPublicKey(params.getEncoded(), params);
  }

  /** The 32-byte encoding itself, not to be modified (for {@link VerificationMemo}). */
  byte[] rawBytes() {
    return bytes;
  }

  /** The 32-byte encoding (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /**
   * Checks an Ed25519 signature over {@code message[off, off+len)}. Never throws on bad input;
   * returns {@code false} for a wrong-length or invalid signature. With a {@link VerificationMemo}
   * installed, the same exact bytes that verified before are not verified again.
   */
  public boolean verify(byte[] message, int off, int len, byte[] signature) {
    if (signature == null || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    VerificationMemo memo = VerificationMemo.installed();
    return memo == null
        ? verifyNow(message, off, len, signature)
        : memo.verify(this, message, off, len, signature);
  }

  /** The Ed25519 verification itself; {@code signature} is 64 bytes. */
  boolean verifyNow(byte[] message, int off, int len, byte[] signature) {
    try {
      return params.verify(Ed25519.Algorithm.Ed25519, null, message, off, len, signature, 0);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Checks an Ed25519 signature over all of {@code message}. */
  public boolean verify(byte[] message, byte[] signature) {
    return verify(message, 0, message.length, signature);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningPublicKey && Arrays.equals(bytes, ((SigningPublicKey) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Ed25519:" + HexFormat.of().formatHex(bytes, 0, 8);
  }
}
