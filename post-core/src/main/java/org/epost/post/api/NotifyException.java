package org.epost.post.api;

/** Why a notification operation failed; each subclass says whether retrying can help. */
public abstract class NotifyException extends PostException {
  private static final long serialVersionUID = 1L;

  protected NotifyException(String message) {
    super(message);
  }

  protected NotifyException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The ring could not take the notification now: this node has not joined, the service was
   * stopped, or no majority of the recipient's storers acknowledged the deposit after every
   * attempt. Retryable.
   */
  public static final class Unavailable extends NotifyException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message);
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /**
   * The recipient's storers refused the deposit because the recipient's pending store, or this
   * sender's share of it, is full. Retryable later (the recipient drains its store when it
   * returns).
   */
  public static final class Refused extends NotifyException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public Refused(String message, String reason) {
      super(message);
      this.reason = reason;
    }

    /** The storers' reason, e.g. {@code RECIPIENT_FULL} or {@code SENDER_QUOTA}. */
    public String reason() {
      return reason;
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /**
   * The caller's request is over a bound: a message reference or part summary too large, or too
   * many notifications of this user still waiting for a majority. Not retryable unchanged.
   */
  public static final class LimitExceeded extends NotifyException {
    private static final long serialVersionUID = 1L;

    public LimitExceeded(String message) {
      super(message);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * A received notification or receipt is not genuine: it does not open with this user's key, its
   * signature or hash does not verify, its sender is not certified for the address it names, or it
   * is a replay. Counted and dropped; not retryable. Never surfaced to a sender's stage: it reaches
   * only the statistics.
   */
  public static final class Rejected extends NotifyException {
    private static final long serialVersionUID = 1L;

    public Rejected(String message) {
      super(message);
    }

    public Rejected(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }
}
