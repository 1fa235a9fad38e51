package org.epost.smtp.relay;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.epost.smtp.api.DeliveryStatusNotification;

/**
 * The relay's delivery status notification (RFC 3464) for a queue entry, composed by the shared
 * {@link DeliveryStatusNotification}.
 */
final class DeliveryStatusReport {
  private DeliveryStatusReport() {}

  /**
   * @param reportingHost the name in Reporting-MTA and in the From address
   * @param failed the recipients given up, each with the last reply seen
   */
  static String compose(
      String reportingHost,
      QueueEntry entry,
      List<QueueEntry.Recipient> failed,
      InputStream originalMessage,
      Instant now)
      throws IOException {
    return DeliveryStatusNotification.compose(
        reportingHost,
        entry.id,
        entry.reversePath,
        entry.messageId,
        entry.createdMillis,
        failed.stream()
            .map(
                r -> new DeliveryStatusNotification.FailedRecipient(r.address, r.lastReply, "smtp"))
            .toList(),
        originalMessage,
        now);
  }

  /**
   * The enhanced status from a reply like "550 5.1.1 ...", or 5.0.0; a 4.x.x becomes 5.x.x (given
   * up).
   */
  static String statusOf(String reply) {
    return DeliveryStatusNotification.statusOf(reply);
  }
}
