package org.epost.smtp.api;

import java.io.InputStream;

/**
 * Where accepted mail for the ring's own domain goes. The ePOST application implements it on the
 * peer-to-peer store; tests implement it on local disk.
 *
 * <p>Threading: the server calls both methods from its backend executor, concurrently for different
 * connections; an implementation must be thread-safe. Calls may block for seconds (replication);
 * the server bounds each call with {@link SmtpServerConfig#backendTimeout()} and answers 451 4.4.3
 * when the time is up, so a slow backend delays only the waiting connection. The server interrupts
 * a call that timed out.
 */
public interface SubmissionBackend {

  /**
   * Decides about the sender, when an authenticated client gives MAIL FROM on the submission port
   * (never called in gateway mode, nor for the relay's own bounces). The default accepts every
   * sender. Called on the connection's session thread, not through the backend executor: it must
   * decide from memory (the account table), without I/O or waiting.
   *
   * @param reversePath the MAIL FROM address as the client gave it, without angle brackets; the
   *     empty string for the null reverse-path
   * @param authenticatedUser the AUTH identity of the connection
   * @throws SubmissionException typically {@link SmtpStatus#SENDER_NOT_OWNED} when the user may not
   *     send as {@code reversePath}
   */
  default void checkSender(String reversePath, String authenticatedUser)
      throws SubmissionException {}

  /**
   * Decides about one local recipient, when the client names it in RCPT TO.
   *
   * @param address the recipient address as the client gave it, without angle brackets
   * @throws SubmissionException {@link SmtpStatus#MAILBOX_UNKNOWN} for an unknown local user (the
   *     client gets 550 5.1.1), a 4xx status for a temporary problem
   */
  void checkRecipient(String address) throws SubmissionException;

  /**
   * Stores one message for the envelope's recipients (all of them local).
   *
   * <p>Contract: returns only once the message is durably stored, i.e. it survives a crash or power
   * loss of this machine from then on; the server replies "250" only after this returns (RFC 1123,
   * 5.3.3). On any exception nothing may be delivered that the client would not expect to send
   * again; the client gets the exception's status (a 4xx: it retries).
   *
   * @param envelope the transaction's envelope; its recipients are the local ones only
   * @param message the message as received (CRLF line ends, dot-unstuffed), with a Received header
   *     and, if the client sent none, a Message-ID header prepended; the stream is valid only
   *     during this call
   * @throws SubmissionException a typed refusal, mapped to the precise reply
   */
  void deliver(Envelope envelope, InputStream message) throws SubmissionException;
}
