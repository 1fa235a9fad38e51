package org.epost.smtp.api;

/**
 * The SMTP replies a backend or the server may give, each with its basic code (RFC 5321) and its
 * enhanced status code (RFC 3463). A 4xx status tells the client to try again later; a 5xx status
 * is final.
 */
public enum SmtpStatus {
  /** The local mailbox does not exist (550 5.1.1). */
  MAILBOX_UNKNOWN(550, "5.1.1", "No such user here"),
  /** The mailbox exists but is disabled or may not receive mail (550 5.2.1). */
  MAILBOX_DISABLED(550, "5.2.1", "Mailbox disabled"),
  /** The mailbox is over its quota for now (452 4.2.2). */
  MAILBOX_FULL(452, "4.2.2", "Mailbox full, try again later"),
  /**
   * The recipient is not in a domain this server serves and relaying is not allowed (550 5.7.1).
   */
  RELAY_DENIED(550, "5.7.1", "Relay access denied"),
  /** Storage is full for now (452 4.3.1). */
  INSUFFICIENT_STORAGE(452, "4.3.1", "Insufficient storage, try again later"),
  /** A transient local failure: storage unreachable, replication incomplete (451 4.3.0). */
  TEMPORARY_FAILURE(451, "4.3.0", "Temporary local failure, try again later"),
  /** The storage did not confirm in time (451 4.4.3). The client retries. */
  STORAGE_TIMEOUT(451, "4.4.3", "Storage did not confirm in time, try again later"),
  /** The message is larger than the server accepts (552 5.3.4). */
  MESSAGE_TOO_BIG(552, "5.3.4", "Message size exceeds fixed limit"),
  /** The content is refused for good (554 5.6.0). */
  CONTENT_REJECTED(554, "5.6.0", "Message content rejected"),
  /** A policy forbids this message (550 5.7.1). */
  POLICY_REJECTED(550, "5.7.1", "Message refused by policy"),
  /**
   * The sender address is not the authenticated user's own (553 5.7.1, RFC 3463: delivery not
   * authorized).
   */
  SENDER_NOT_OWNED(553, "5.7.1", "Sender address not owned by the authenticated user"),
  /** The client sends too fast (450 4.7.1). */
  RATE_LIMITED(450, "4.7.1", "Rate limit exceeded, try again later");

  private final int code;
  private final String enhancedCode;
  private final String defaultText;

  SmtpStatus(int code, String enhancedCode, String defaultText) {
    this.code = code;
    this.enhancedCode = enhancedCode;
    this.defaultText = defaultText;
  }

  /** The three-digit reply code, e.g. 550. */
  public int code() {
    return code;
  }

  /** The enhanced status code, e.g. "5.1.1". */
  public String enhancedCode() {
    return enhancedCode;
  }

  /** A short human text used when no detail is given. */
  public String defaultText() {
    return defaultText;
  }

  /** True for 4xx statuses: the client keeps the message and tries again. */
  public boolean isTemporary() {
    return code / 100 == 4;
  }
}
