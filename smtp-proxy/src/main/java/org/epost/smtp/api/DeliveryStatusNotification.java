package org.epost.smtp.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Composes a delivery status notification (RFC 3464): a multipart/report with a human explanation,
 * a message/delivery-status part with one block per failed recipient, and the original headers
 * (text/rfc822-headers, bounded to 64 KiB). The relay's bounces and the ePOST application's reports
 * for ring recipients are both built here.
 */
public final class DeliveryStatusNotification {
  private static final int MAX_ORIGINAL_HEADER_BYTES = 64 * 1024;

  private DeliveryStatusNotification() {}

  /**
   * One recipient given up.
   *
   * @param address the recipient's address
   * @param reply the last reply seen, e.g. "550 5.1.1 No such user", or a sentence; its enhanced
   *     code (a 4.x.x made 5.x.x) becomes the Status field, 5.0.0 when it has none
   * @param diagnosticType the Diagnostic-Code type ("smtp" for an SMTP reply, "x-epost" for the
   *     ring's reasons)
   */
  public record FailedRecipient(String address, String reply, String diagnosticType) {
    public FailedRecipient {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(reply, "reply");
      Objects.requireNonNull(diagnosticType, "diagnosticType");
    }
  }

  /**
   * @param reportingHost the name in Reporting-MTA and in the From address
   * @param reportId a token unique to this report (becomes the Message-ID's left part)
   * @param sender the original sender, the report's To
   * @param messageId the original Message-ID, with angle brackets
   * @param arrivalMillis when the original message was accepted (epoch ms)
   * @param failed the recipients given up
   * @param originalMessage the original message (only its header section is read), or null
   * @param now the report's date
   * @return the report, CRLF line ends
   */
  public static String compose(
      String reportingHost,
      String reportId,
      String sender,
      String messageId,
      long arrivalMillis,
      List<FailedRecipient> failed,
      InputStream originalMessage,
      Instant now)
      throws IOException {
    DateTimeFormatter date = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    String boundary = "=_report_" + UUID.randomUUID();
    StringBuilder b = new StringBuilder();
    b.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingHost).append(">\r\n");
    b.append("To: <").append(oneLine(sender)).append(">\r\n");
    b.append("Subject: Undelivered Mail Returned to Sender\r\n");
    b.append("Date: ").append(date.format(now)).append("\r\n");
    b.append("Message-ID: <dsn-")
        .append(oneLine(reportId))
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
    b.append("Your message ")
        .append(oneLine(messageId))
        .append(" could not be delivered to:\r\n\r\n");
    for (FailedRecipient r : failed) {
      b.append("  <")
          .append(oneLine(r.address()))
          .append(">: ")
          .append(oneLine(r.reply()))
          .append("\r\n");
    }
    b.append("\r\nNo further attempts will be made.\r\n\r\n");

    b.append("--").append(boundary).append("\r\n");
    b.append("Content-Type: message/delivery-status\r\n\r\n");
    b.append("Reporting-MTA: dns; ").append(reportingHost).append("\r\n");
    b.append("Arrival-Date: ")
        .append(date.format(Instant.ofEpochMilli(arrivalMillis)))
        .append("\r\n");
    for (FailedRecipient r : failed) {
      b.append("\r\n");
      b.append("Final-Recipient: rfc822; ").append(oneLine(r.address())).append("\r\n");
      b.append("Action: failed\r\n");
      b.append("Status: ").append(statusOf(r.reply())).append("\r\n");
      String reply = oneLine(r.reply());
      if (!r.diagnosticType().equals("smtp") || reply.matches("^[245][0-9][0-9].*")) {
        b.append("Diagnostic-Code: ")
            .append(r.diagnosticType())
            .append("; ")
            .append(reply)
            .append("\r\n");
      }
      b.append("Last-Attempt-Date: ").append(date.format(now)).append("\r\n");
    }
    b.append("\r\n");

    b.append("--").append(boundary).append("\r\n");
    b.append("Content-Type: text/rfc822-headers\r\n\r\n");
    if (originalMessage != null) {
      b.append(originalHeaders(originalMessage));
    }
    b.append("\r\n--").append(boundary).append("--\r\n");
    return b.toString();
  }

  /**
   * The enhanced status from a reply like "550 5.1.1 ...", or 5.0.0; a 4.x.x becomes 5.x.x (given
   * up).
   */
  public static String statusOf(String reply) {
    String[] words = reply.split(" ");
    if (words.length > 1 && words[1].matches("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}")) {
      String status = words[1];
      return status.startsWith("4") ? "5" + status.substring(1) : status;
    }
    return "5.0.0";
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n]+", " ");
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
