package org.epost.crypto.api;

/**
 * The bytes are not a well-formed encoding of the expected object: truncated, trailing bytes, wrong
 * context string, unknown version, non-canonical length, field out of range, or a damaged file
 * whose checksum does not match. Nothing about authenticity has been decided yet.
 */
public final class CryptoFormatException extends CryptoException {
  private static final long serialVersionUID = 1L;

  public CryptoFormatException(String message) {
    super(message);
  }

  public CryptoFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
