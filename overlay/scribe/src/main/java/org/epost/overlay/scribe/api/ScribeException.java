package org.epost.overlay.scribe.api;

/**
 * Why a Scribe operation failed. Scribe completes its {@code CompletionStage}s exceptionally with a
 * subclass of this exception; {@link #retryable()} tells whether the same call may succeed later.
 */
public class ScribeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ScribeException(String message) {
    super(message);
  }

  /** True if the same call may succeed when made again later without the caller changing it. */
  public boolean retryable() {
    return false;
  }

  /**
   * This node cannot take part in trees now: its overlay node has not joined the ring yet, or
   * Scribe was stopped. Retryable: once the node is ready (NOT_JOINED), or on the node's next start
   * (a stopped Scribe instance stays stopped), as PAST's {@code UnavailableException} is.
   */
  public static final class NotReadyException extends ScribeException {
    private static final long serialVersionUID = 1L;

    /** Why this node is not ready. */
    public enum Reason {
      /** The overlay node has not finished joining the ring; retry once it is ready. */
      NOT_JOINED,
      /** Scribe on this node was stopped (or stopped while the operation was pending). */
      STOPPED
    }

    private final Reason reason;

    public NotReadyException(String message, Reason reason) {
      super(message);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /**
   * This node already takes part in {@link ScribeConfig#maxTopics} topics. Not retryable as such:
   * unsubscribe from a topic (or raise the bound) first.
   */
  public static final class TopicLimitException extends ScribeException {
    private static final long serialVersionUID = 1L;

    public TopicLimitException(String message) {
      super(message);
    }
  }
}
