package org.epost.crypto.api;

import java.security.SecureRandom;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/** An X25519 key pair for key agreement. Thread-safe. */
public final class AgreementKeyPair {
  private final X25519PrivateKeyParameters privateKey;
  private final AgreementPublicKey publicKey;

  private AgreementKeyPair(X25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = AgreementPublicKey.wrap(privateKey.generatePublicKey().getEncoded());
  }

  /** A fresh key pair from {@code random}. */
  public static AgreementKeyPair generate(SecureRandom random) {
    return new AgreementKeyPair(new X25519PrivateKeyParameters(random));
  }

  /**
   * Rebuilds a key pair from its 32-byte private scalar (clamped as RFC 7748 says).
   *
   * @throws CryptoFormatException if {@code scalar} is not 32 bytes
   */
  public static AgreementKeyPair fromPrivate(byte[] scalar) throws CryptoFormatException {
    if (scalar == null || scalar.length != X25519PrivateKeyParameters.KEY_SIZE) {
      throw new CryptoFormatException("an X25519 private key is 32 bytes");
    }
    return new AgreementKeyPair(new X25519PrivateKeyParameters(scalar, 0));
  }

  /** The public half. */
  public AgreementPublicKey publicKey() {
    return publicKey;
  }

  /** The 32-byte private scalar, for writing a key file. Callers must wipe the result. */
  public byte[] exportPrivate() {
    return privateKey.getEncoded();
  }

  /**
   * X25519(private, peer): the raw 32-byte shared secret. Always feed it through a KDF.
   *
   * @throws VerificationException if {@code peer} is a low-order point (the result is all zero)
   */
  public byte[] agree(AgreementPublicKey peer) throws VerificationException {
    byte[] out = new byte[32];
    try {
      privateKey.generateSecret(new X25519PublicKeyParameters(peer.raw(), 0), out, 0);
    } catch (IllegalStateException e) {
      throw new VerificationException("peer X25519 key is a low-order point", e);
    }
    return out;
  }

  @Override
  public String toString() {
    return "AgreementKeyPair(" + publicKey + ")";
  }
}
