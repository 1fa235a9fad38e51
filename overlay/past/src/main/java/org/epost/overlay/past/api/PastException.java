package org.epost.overlay.past.api;

/**
 * Why a PAST operation failed. PAST completes its {@code CompletionStage}s exceptionally with a
 * subclass of this exception; the message says what happened and what a caller can do.
 */
public class PastException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PastException(String message) {
    super(message);
  }

  public PastException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * An insert did not reach a majority of the replica set in time; retry later, it is idempotent.
   */
  public static final class InsertFailedException extends PastException {
    private static final long serialVersionUID = 1L;
    private final int stored;

    public InsertFailedException(String message, int stored) {
      super(message);
      this.stored = stored;
    }

    /** Replicas known to have stored the object durably when the insert gave up. */
    public int stored() {
      return stored;
    }
  }

  /**
   * No replica returned a valid copy of the object (none held it, or every copy failed
   * verification).
   */
  public static final class ObjectNotFoundException extends PastException {
    private static final long serialVersionUID = 1L;

    public ObjectNotFoundException(String message) {
      super(message);
    }
  }

  /**
   * The local store is full: the configured quota would be exceeded. Free space or raise the quota.
   */
  public static final class QuotaExceededException extends PastException {
    private static final long serialVersionUID = 1L;

    public QuotaExceededException(String message) {
      super(message);
    }
  }

  /** The object's bytes do not match its id, or its signature does not verify. */
  public static final class InvalidObjectException extends PastException {
    private static final long serialVersionUID = 1L;

    public InvalidObjectException(String message) {
      super(message);
    }
  }

  /** The local disk store failed (I/O error); the message names the file. */
  public static final class StorageException extends PastException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
