package org.epost.mail.api;

/**
 * A mail operation failed. {@link #retryable()} is true when the ring could not be reached or
 * answered too slowly and the same call may succeed later unchanged; false for a caller's mistake
 * or a permanent refusal (no such folder, message too large, corrupt data). {@link #kind()} names
 * the failure for the proxies' response codes.
 */
public class MailException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, mapped to IMAP response codes and SMTP replies by the backends. */
  public enum Kind {
    /** The ring (or the local store) cannot act now; retry later. */
    UNAVAILABLE,
    /** No such folder or message. */
    NONEXISTENT,
    /** A folder of that name exists. */
    ALREADY_EXISTS,
    /** The operation is not allowed (deleting INBOX, writing a log another device writes). */
    CANNOT,
    /** Over a configured bound (message size, folder count, a queue). */
    LIMIT,
    /** Data on the ring or on disk failed verification. */
    CORRUPT,
    /** The account is closed. */
    CLOSED
  }

  private final Kind kind;

  public MailException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public MailException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** Whether the same call may succeed later unchanged. */
  public boolean retryable() {
    return kind == Kind.UNAVAILABLE;
  }
}
