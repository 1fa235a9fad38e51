package org.epost.smtp.api;

/**
 * A typed refusal from a {@link SubmissionBackend}. The server answers the client with exactly
 * {@link #status()}'s code and enhanced code, followed by {@link #getMessage()}.
 */
public final class SubmissionException extends Exception {
  private static final long serialVersionUID = 1L;

  private final SmtpStatus status;

  /**
   * @param status the reply the client will get
   * @param detail a human text for the client (one line; CR and LF are replaced by spaces)
   */
  public SubmissionException(SmtpStatus status, String detail) {
    super(
        detail == null || detail.isBlank()
            ? status.defaultText()
            : detail.replaceAll("[\\r\\n]+", " "));
    this.status = status;
  }

  /** Same as {@link #SubmissionException(SmtpStatus, String)} with a cause kept for logs. */
  public SubmissionException(SmtpStatus status, String detail, Throwable cause) {
    this(status, detail);
    initCause(cause);
  }

  /** The reply the client gets. */
  public SmtpStatus status() {
    return status;
  }
}
