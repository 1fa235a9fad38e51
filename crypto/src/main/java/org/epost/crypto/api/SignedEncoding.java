package org.epost.crypto.api;

import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;

/** Shared layout of signed objects: all fields, then the signature as field 15 over the rest. */
final class SignedEncoding {
  static final int SIGNATURE_TAG = 15;

  private SignedEncoding() {}

  /** Signs everything written so far and appends the signature field. */
  static byte[] sign(CanonicalWriter body, SigningKeyPair signer) {
    byte[] tbs = body.toByteArray();
    body.bytes(SIGNATURE_TAG, signer.sign(tbs));
    return body.toByteArray();
  }

  /** Appends an existing signature (re-encoding a decoded object). */
  static byte[] withSignature(CanonicalWriter body, byte[] signature) {
    return body.bytes(SIGNATURE_TAG, signature).toByteArray();
  }

  /** Reads the signature field and checks that nothing follows it. */
  static byte[] readSignature(CanonicalReader r) throws CryptoFormatException {
    byte[] sig = r.bytes(SIGNATURE_TAG, SigningPublicKey.SIGNATURE_LENGTH);
    r.end();
    return sig;
  }

  static long seconds(long value, String what) throws CryptoFormatException {
    if (value < 0) {
      throw new CryptoFormatException(what + " is negative");
    }
    return value;
  }
}
