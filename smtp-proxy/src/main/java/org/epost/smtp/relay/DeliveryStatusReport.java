package org.epost.smtp.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/**
 * Builds a delivery status notification (RFC 3464): a multipart/report with a human explanation, a
 * message/delivery-status part with one block per failed recipient, and the original headers
 * (text/rfc822-headers, bounded to 64 KiB).
 */
final class DeliveryStatusReport {
  private static final int MAX_ORIGINAL_HEADER_BYTES = 64 * 1024;

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
    DateTimeFormatter date = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    String boundary = "=_report_" + UUID.randomUUID();
    StringBuilder b = new StringBuilder();
    b.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingHost).append(">\r\n");
    b.append("To: <").append(entry.reversePath).append(">\r\n");
    b.append("Subject: Undelivered Mail Returned to Sender\r\n");
    b.append("Date: ").append(date.format(now)).append("\r\n");
    b.append("Message-ID: <dsn-")
        .append(entry.id)
        .append('@')
        .append(reportingHost)
        .append(">\r\n");
    b.append("Auto-Submitted: auto-replied\r\n");
    b.append("MIME-Version: 1.0\r\n");
    b.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"")
        .append(boundary)
        .append("\"\r\n\r\n");
    b.append("This is a MIME-encapsulated delivery status notification.\r\n\r\n");

    b.append("--").append(boundary).append("\r\n");
    b.append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
    b.append("Your message ").append(entry.messageId).append(" could not be delivered to:\r\n\r\n");
    for (QueueEntry.Recipient r : failed) {
      b.append("  <").append(r.address).append(">: ").append(r.lastReply).append("\r\n");
    }
    b.append("\r\nNo further attempts will be made.\r\n\r\n");

    b.append("--").append(boundary).append("\r\n");
    b.append("Content-Type: message/delivery-status\r\n\r\n");
    b.append("Reporting-MTA: dns; ").append(reportingHost).append("\r\n");
    b.append("Arrival-Date: ")
        .append(date.format(Instant.ofEpochMilli(entry.createdMillis)))
        .append("\r\n");
    for (QueueEntry.Recipient r : failed) {
      b.append("\r\n");
      b.append("Final-Recipient: rfc822; ").append(r.address).append("\r\n");
      b.append("Action: failed\r\n");
      b.append("Status: ").append(statusOf(r.lastReply)).append("\r\n");
      if (r.lastReply.matches("^[245][0-9][0-9].*")) {
        b.append("Diagnostic-Code: smtp; ").append(r.lastReply.replace("\n", " ")).append("\r\n");
      }
      b.append("Last-Attempt-Date: ").append(date.format(now)).append("\r\n");
    }
    b.append("\r\n");

    b.append("--").append(boundary).append("\r\n");
    b.append("Content-Type: text/rfc822-headers\r\n\r\n");
    b.append(originalHeaders(originalMessage));
    b.append("\r\n--").append(boundary).append("--\r\n");
    return b.toString();
  }

  /**
   * The enhanced status from a reply like "550 5.1.1 ...", or 5.0.0; a 4.x.x becomes 5.x.x (given
   * up).
   */
  static String statusOf(String reply) {
    String[] words = reply.split(" ");
    if (words.length > 1 && words[1].matches("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}")) {
      String status = words[1];
      return status.startsWith("4") ? "5" + status.substring(1) : status;
    }
    return "5.0.0";
  }

  private static String originalHeaders(InputStream message) throws IOException {
    StringBuilder headers = new StringBuilder();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(message, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null
          && !line.isEmpty()
          && headers.length() + line.length() < MAX_ORIGINAL_HEADER_BYTES) {
        headers.append(line).append("\r\n");
      }
    }
    return headers.toString();
  }
}
