package org.epost.crypto.api;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 key pair. Thread-safe: {@link #sign} may be called concurrently. The private key never
 * appears in {@link #toString()}.
 */
public final class SigningKeyPair {
  private final Ed25519PrivateKeyParameters privateKey;
  private final SigningPublicKey publicKey;

  private SigningKeyPair(Ed25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = SigningPublicKey.of(privateKey.generatePublicKey());
  }

  /** A fresh key pair from {@code random}. */
  public static SigningKeyPair generate(SecureRandom random) {
    return new SigningKeyPair(new Ed25519PrivateKeyParameters(random));
  }

  /**
   * Rebuilds a key pair from its 32-byte RFC 8032 private key (seed).
   *
   * @throws CryptoFormatException if {@code seed} is not 32 bytes
   */
  public static SigningKeyPair fromSeed(byte[] seed) throws CryptoFormatException {
    if (seed == null || seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
      throw new CryptoFormatException("an Ed25519 private key is 32 bytes");
    }
    return new SigningKeyPair(new Ed25519PrivateKeyParameters(seed, 0));
  }

  /** The public half. */
  public SigningPublicKey publicKey() {
    return publicKey;
  }

  /**
   * The 32-byte private seed, for writing a key file. Callers must wipe the returned array when
   * done.
   */
  public byte[] exportSeed() {
    return privateKey.getEncoded();
  }

  /** Signs {@code message[off, off+len)}; returns a 64-byte Ed25519 signature. */
  public byte[] sign(byte[] message, int off, int len) {
    byte[] sig = new byte[SigningPublicKey.SIGNATURE_LENGTH];
    privateKey.sign(Ed25519.Algorithm.Ed25519, null, message, off, len, sig, 0);
    return sig;
  }

  /** Signs all of {@code message}. */
  public byte[] sign(byte[] message) {
    return sign(message, 0, message.length);
  }

  @Override
  public String toString() {
    return "SigningKeyPair(" + publicKey + ")";
  }
}
