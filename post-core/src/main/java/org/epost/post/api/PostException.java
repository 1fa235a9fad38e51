package org.epost.post.api;

/**
 * Why a POST operation failed. Services complete their stages exceptionally with a subclass; the
 * message says what happened and what the caller can do.
 */
public abstract class PostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected PostException(String message) {
    super(message);
  }

  protected PostException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * True when the same call may succeed later unchanged (the ring was unreachable, too few replicas
   * answered); false when retrying cannot help (the data is forged, too large, absent).
   */
  public abstract boolean retryable();
}
