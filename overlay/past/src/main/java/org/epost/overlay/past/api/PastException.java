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
   * True if the same call may succeed when made again later without the caller changing anything
   * (the failure says "could not", not "no").
   */
  public boolean retryable() {
    return false;
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

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /**
   * A read quorum of the object's replica set answered and none of them holds a valid copy (none
   * held it, or every copy failed verification). Definite for the replica set as it stands: not
   * retryable as such (the object may still appear later if someone inserts it). A quorum is a
   * majority of the k replicas, or every member of the replica set the reader knows when fewer than
   * that are known: any such quorum overlaps every majority an insert was acknowledged by.
   */
  public static final class ObjectNotFoundException extends PastException {
    private static final long serialVersionUID = 1L;
    private final int answered;
    private final int asked;

    public ObjectNotFoundException(String message) {
      this(message, 0, 0);
    }

    public ObjectNotFoundException(String message, int answered, int asked) {
      super(message);
      this.answered = answered;
      this.asked = asked;
    }

    /** Members of the replica set that answered without a valid copy. */
    public int answered() {
      return answered;
    }

    /** Members of the replica set the reader asked (or knew of). */
    public int asked() {
      return asked;
    }
  }

  /**
   * PAST could not find out: the operation was not carried out, or too few replicas answered to
   * tell whether the object exists. Never a statement that an object is absent. Retryable: the same
   * call may succeed later ({@link #reason()} says when it is worth trying).
   */
  public static final class UnavailableException extends PastException {
    private static final long serialVersionUID = 1L;

    /** Why PAST could not answer. */
    public enum Reason {
      /** This node has not joined the ring yet; retry once the overlay node is ready. */
      NOT_JOINED,
      /** PAST on this node was stopped (or stopped while the operation was pending). */
      STOPPED,
      /** Too many operations in flight on this node; retry after some complete. */
      OVERLOADED,
      /** Fewer than a quorum of the replica set answered in time; retry later. */
      NO_QUORUM
    }

    private final Reason reason;
    private final int answered;
    private final int asked;

    public UnavailableException(String message, Reason reason, int answered, int asked) {
      super(message);
      this.reason = reason;
      this.answered = answered;
      this.asked = asked;
    }

    public Reason reason() {
      return reason;
    }

    /** Members of the replica set that answered (0 when the operation never started). */
    public int answered() {
      return answered;
    }

    /** Members of the replica set asked or known (0 when the operation never started). */
    public int asked() {
      return asked;
    }

    @Override
    public boolean retryable() {
      return true;
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
