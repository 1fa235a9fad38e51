package org.epost.crypto.api;

import java.util.Arrays;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;

/** Shared layout of signed objects: all fields, then the signature as field 15 over the rest. */
final class SignedEncoding {
  static final int SIGNATURE_TAG = 15;

  /** 9999-12-31T23:59:59Z: later times are rejected so every decoded time is an Instant. */
  static final long MAX_SECONDS = 253_402_300_799L;

  private SignedEncoding() {}

  /** Signs everything written so far and appends the signature field. */
  static byte[] sign(CanonicalWriter body, SigningKeyPair signer) {
    byte[] tbs = body.toByteArray();
    body.bytes(SIGNATURE_TAG, signer.sign(tbs));
    return body.toByteArray();
  }

  /**
   * Whether the signature that ends {@code encoded} verifies under {@code key} over the first
   * {@code signedLength} bytes (everything before the signature field).
   */
  static boolean verifies(SigningPublicKey key, byte[] encoded, int signedLength) {
    return key.verify(
        encoded,
        0,
        signedLength,
        Arrays.copyOfRange(
            encoded, encoded.length - SigningPublicKey.SIGNATURE_LENGTH, encoded.length));
  }

  /** Reads the signature field and checks that nothing follows it. */
  static byte[] readSignature(CanonicalReader r) throws CryptoFormatException {
    byte[] sig = r.bytes(SIGNATURE_TAG, SigningPublicKey.SIGNATURE_LENGTH);
    r.end();
    return sig;
  }

  static long seconds(long value, String what) throws CryptoFormatException {
    if (value < 0 || value > MAX_SECONDS) {
      throw new CryptoFormatException(what + " is outside 1970..9999");
    }
    return value;
  }
}
