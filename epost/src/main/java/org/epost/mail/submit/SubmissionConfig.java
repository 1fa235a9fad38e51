package org.epost.mail.submit;

import java.time.Duration;
import java.util.Objects;

/**
 * How an account's submissions go to the ring.
 *
 * @param ringWait how long a submission waits for the ring (message durable, every ring recipient
 *     notified) before the client gets "250" with the message kept in the outbox; below the SMTP
 *     proxy's backend timeout (30 s by default)
 * @param firstRetry the outbox's first retry delay after a retryable failure
 * @param maxRetry the cap of the doubling retry delay
 * @param undeliverableAfter how long a recipient may stay undelivered to the ring (not yet
 *     notified) before it is given up and a delivery status notification goes to the sender
 * @param maxOutboxMessages most messages the outbox holds; more are refused with 452 4.3.1
 * @param maxOutboxBytes most bytes (encrypted) the outbox holds; more are refused with 452 4.3.1
 * @param ledgerMessages how many sent messages the delivery ledger keeps (the oldest go first)
 * @param fileSentCopy whether the node files its own copy of every submitted message into Sent (off
 *     by default: mail clients append their own copy over IMAP, ADR 0115)
 * @param reportingHost the name in delivery status notifications (Reporting-MTA, MAILER-DAEMON)
 */
public record SubmissionConfig(
    Duration ringWait,
    Duration firstRetry,
    Duration maxRetry,
    Duration undeliverableAfter,
    int maxOutboxMessages,
    long maxOutboxBytes,
    int ledgerMessages,
    boolean fileSentCopy,
    String reportingHost) {
  public SubmissionConfig {
    requirePositive(ringWait, "ringWait");
    requirePositive(firstRetry, "firstRetry");
    requirePositive(maxRetry, "maxRetry");
    requirePositive(undeliverableAfter, "undeliverableAfter");
    if (maxOutboxMessages <= 0 || maxOutboxBytes <= 0 || ledgerMessages <= 0) {
      throw new IllegalArgumentException("outbox and ledger bounds must be positive");
    }
    Objects.requireNonNull(reportingHost, "reportingHost");
    if (!reportingHost.matches("[A-Za-z0-9.\\-]+")) {
      throw new IllegalArgumentException("not a host name: " + reportingHost);
    }
  }

  /**
   * Defaults: wait 20 s for the ring; retry after 5 s doubling to 5 min; give a recipient up after
   * 5 days (as the smarthost relay does, RFC 5321 4.5.4.1); 10,000 messages or 2 GiB in the outbox;
   * 10,000 messages in the ledger; no Sent copy.
   */
  public static SubmissionConfig defaults(String reportingHost) {
    return new SubmissionConfig(
        Duration.ofSeconds(20),
        Duration.ofSeconds(5),
        Duration.ofMinutes(5),
        Duration.ofDays(5),
        10_000,
        2L << 30,
        10_000,
        false,
        reportingHost);
  }

  /** A copy that files (or does not file) a Sent copy. */
  public SubmissionConfig withFileSentCopy(boolean file) {
    return new SubmissionConfig(
        ringWait,
        firstRetry,
        maxRetry,
        undeliverableAfter,
        maxOutboxMessages,
        maxOutboxBytes,
        ledgerMessages,
        file,
        reportingHost);
  }

  /** A copy with other timings (tests, and the daemon's config file). */
  public SubmissionConfig withTimings(
      Duration ringWait, Duration firstRetry, Duration maxRetry, Duration undeliverableAfter) {
    return new SubmissionConfig(
        ringWait,
        firstRetry,
        maxRetry,
        undeliverableAfter,
        maxOutboxMessages,
        maxOutboxBytes,
        ledgerMessages,
        fileSentCopy,
        reportingHost);
  }

  /** A copy with other outbox bounds. */
  public SubmissionConfig withOutboxBounds(int messages, long bytes) {
    return new SubmissionConfig(
        ringWait,
        firstRetry,
        maxRetry,
        undeliverableAfter,
        messages,
        bytes,
        ledgerMessages,
        fileSentCopy,
        reportingHost);
  }

  private static void requirePositive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive");
    }
  }
}
