package org.epost.crypto.api;

/**
 * Root of every failure this module reports about untrusted bytes or secrets.
 *
 * <p>Contract: decoders and verifiers in {@code org.epost.crypto} throw only subclasses of this
 * type (never {@link RuntimeException}s such as {@code ArrayIndexOutOfBoundsException}) when fed
 * hostile or damaged input. Programming errors (null arguments, impossible parameter values chosen
 * by the caller) are reported with ordinary unchecked exceptions.
 */
public abstract class CryptoException extends Exception {
  private static final long serialVersionUID = 1L;

  protected CryptoException(String message) {
    super(message);
  }

  protected CryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
