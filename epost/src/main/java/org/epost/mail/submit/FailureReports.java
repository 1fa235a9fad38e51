package org.epost.mail.submit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.epost.mail.api.MailAccount;
import org.epost.smtp.api.DeliveryStatusNotification;

/**
 * Files delivery status notifications (RFC 3464, composed by smtp-proxy's {@link
 * DeliveryStatusNotification}) into the sending account's own INBOX: stored through {@link
 * MailAccount#store} and filed with {@link MailAccount#file}, like any message.
 */
final class FailureReports {
  private final MailAccount account;
  private final String reportingHost;
  private final Clock clock;

  FailureReports(MailAccount account, String reportingHost, Clock clock) {
    this.account = account;
    this.reportingHost = reportingHost;
    this.clock = clock;
  }

  /**
   * Composes and files one report.
   *
   * @param original the original message (its header section is quoted), or null when it is no
   *     longer held (then its Message-ID alone is quoted)
   */
  CompletableFuture<Long> file(
      String reportId,
      String sender,
      String messageId,
      long arrivalMillis,
      List<DeliveryStatusNotification.FailedRecipient> failed,
      InputStream original) {
    String report;
    try {
      InputStream headers =
          original != null
              ? original
              : new ByteArrayInputStream(
                  ("Message-ID: " + messageId + "\r\n").getBytes(StandardCharsets.UTF_8));
      report =
          DeliveryStatusNotification.compose(
              reportingHost,
              reportId,
              sender,
              messageId,
              arrivalMillis,
              failed,
              headers,
              clock.instant());
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    byte[] bytes = report.getBytes(StandardCharsets.UTF_8);
    return account
        .store(new ByteArrayInputStream(bytes))
        .thenCompose(stored -> account.file("INBOX", stored, new byte[0], Set.of()))
        .toCompletableFuture();
  }
}
