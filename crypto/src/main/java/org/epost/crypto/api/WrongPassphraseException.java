package org.epost.crypto.api;

/**
 * A key file is intact (its checksum matches) but the passphrase given does not unlock it. The
 * caller should ask the user for the passphrase again; the file has not been modified.
 */
public final class WrongPassphraseException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public WrongPassphraseException(String message) {
    super(message);
  }
}
