package org.epost.post.api;

import org.epost.crypto.api.EquivocationProof;

/** Why a log operation failed; each subclass says whether retrying can help. */
public abstract class LogException extends PostException {
  private static final long serialVersionUID = 1L;

  protected LogException(String message) {
    super(message);
  }

  protected LogException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The ring could not answer (too few replicas of the head answered, the node has not joined, a
   * block referenced by a valid head could not be fetched), or it answered "no such log" for a log
   * this node knows exists (ADR 0093: a writer never starts a new log on "not found" alone), or a
   * head write was not acknowledged by a majority (its outcome is unknown: the operations may still
   * appear in the log). Retryable.
   */
  public static final class Unavailable extends LogException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message);
    }

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /**
   * The head the ring returned is older than one this node has already accepted (a storer serves an
   * old head, or the replicas holding the newer one are away). The reader keeps its high-water mark
   * and returns nothing older. Retryable: other replicas may serve the newer head later.
   */
  public static final class RolledBack extends LogException {
    private static final long serialVersionUID = 1L;
    private final long served;
    private final long highWater;

    public RolledBack(String message, long served, long highWater) {
      super(message);
      this.served = served;
      this.highWater = highWater;
    }

    /** The version the ring served. */
    public long served() {
      return served;
    }

    /** The newest version this node had accepted. */
    public long highWater() {
      return highWater;
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /**
   * The owner signed two different heads with one version: the log forked. The proof is stored in
   * the node's local state and listed in {@link LogStatus#proofs()}. Not retryable: the owner's key
   * (or one of its devices) must be investigated.
   */
  public static final class Equivocated extends LogException {
    private static final long serialVersionUID = 1L;
    private final transient EquivocationProof proof;

    public Equivocated(String message, EquivocationProof proof) {
      super(message);
      this.proof = proof;
    }

    public EquivocationProof proof() {
      return proof;
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * Another session of this device writes the log (a second process of the same account, or a
   * copied data directory), or took it over from this one. The writer refuses and never publishes a
   * competing head. Not retryable as such: stop the other process; a node restored from a backup
   * may write once the other session has been silent for the configured quiet period.
   */
  public static final class WriterConflict extends LogException {
    private static final long serialVersionUID = 1L;

    public WriterConflict(String message) {
      super(message);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * What the owner signed is inconsistent (a block that does not decrypt or does not continue the
   * chain, counts that do not add up) on every copy the ring served. Not retryable.
   */
  public static final class Corrupt extends LogException {
    private static final long serialVersionUID = 1L;

    public Corrupt(String message) {
      super(message);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * A caller's request is over a bound: an operation or snapshot too large, or too many operations
   * waiting for the writer. Not retryable unchanged (wait for pending appends).
   */
  public static final class LimitExceeded extends LogException {
    private static final long serialVersionUID = 1L;

    public LimitExceeded(String message) {
      super(message);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }
}
