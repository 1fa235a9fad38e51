package org.epost.post.api;

/**
 * Why a {@link MessageStore} operation failed. Stages complete exceptionally with one of the
 * subclasses here; {@link #retryable()} says whether the same call may succeed later unchanged.
 */
public abstract class StoreException extends PostException {
  private static final long serialVersionUID = 1L;

  protected StoreException(String message) {
    super(message);
  }

  protected StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The message is larger than the store's configured maximum. Refused before anything is inserted
   * when the parts' lengths are known in advance, else as soon as the bytes read pass the maximum.
   * Not retryable: send a smaller message, or raise the maximum in the node's configuration.
   */
  public static final class MessageTooLargeException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final long maxBytes;

    public MessageTooLargeException(String message, long maxBytes) {
      super(message);
      this.maxBytes = maxBytes;
    }

    /** The configured maximum message size in bytes. */
    public long maxBytes() {
      return maxBytes;
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * The ring could not store or read the message now: this node has not joined or was stopped, it
   * is overloaded, or too few replicas of a block answered or stored it in time, even after the
   * store's own retries. Retryable: the same call may succeed later (inserts are idempotent, so a
   * repeated store costs nothing for the blocks that made it).
   */
  public static final class StoreUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /**
   * A read quorum of a block's replica set answered and none holds it: the message (or the part) is
   * not in the ring. It was never stored, or its lease ran out because nobody who referenced it
   * renewed it (ADR 0101). Not retryable as such.
   */
  public static final class MessageNotFoundException extends StoreException {
    private static final long serialVersionUID = 1L;

    public MessageNotFoundException(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * A block came back but is not what the reference names: it does not hash to its full 32-byte id,
   * does not decrypt under the reference's key, or does not decode as a block of the message store.
   * The reference is wrong (a forged or damaged notification or log entry) or the sender wrote a
   * malformed message. Not retryable.
   */
  public static final class CorruptMessageException extends StoreException {
    private static final long serialVersionUID = 1L;

    public CorruptMessageException(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * A part's input failed: its stream threw, or it ended at another length than declared. Nothing
   * was wrong with the ring; not retryable with the same input.
   */
  public static final class PartInputException extends StoreException {
    private static final long serialVersionUID = 1L;

    public PartInputException(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * The node's lease ledger is at its configured bound and cannot hold another message. Not
   * retryable: release messages (delete mail) or raise the bound; until then the message is stored
   * but nobody on this node renews it.
   */
  public static final class LedgerFullException extends StoreException {
    private static final long serialVersionUID = 1L;

    public LedgerFullException(String message) {
      super(message);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }
}
