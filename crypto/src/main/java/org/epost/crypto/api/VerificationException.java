package org.epost.crypto.api;

/**
 * The bytes are well formed but not authentic or not acceptable: a signature does not verify, an
 * AEAD tag does not match (wrong key, wrong recipient, tampering), a block does not hash to its id,
 * a certificate is expired, not yet valid or revoked, or a sealed message is a replay.
 */
public final class VerificationException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public VerificationException(String message) {
    super(message);
  }

  public VerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
