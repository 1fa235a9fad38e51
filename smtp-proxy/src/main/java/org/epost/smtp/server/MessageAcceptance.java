package org.epost.smtp.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.UUID;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SubmissionException;

/**
 * What happens between the client's final dot and the reply (docs/adr/0044): find or add the
 * Message-ID, prepend a Received line, stage the relay copy, let the backend store the local copy,
 * commit the relay copy, and only then answer 250. Any refusal discards the staged relay copy and
 * becomes the reply.
 *
 * <p>Runs on the session thread; the backend call is bounded by {@link BackendCaller}.
 */
final class MessageAcceptance {
  private final ServerContext context;

  MessageAcceptance(ServerContext context) {
    this.context = context;
  }

  /**
   * @return the reply line for the client
   */
  String accept(
      MailTransaction t,
      MessageSpool spool,
      String helo,
      String clientIp,
      Optional<String> user,
      boolean tls)
      throws IOException {
    Optional<String> existing;
    try (InputStream scan = new java.io.BufferedInputStream(spool.open(), 8192)) {
      existing = MessageHeaders.findMessageId(scan);
    }
    String host = context.config().hostName();
    String messageId = existing.orElseGet(() -> "<" + UUID.randomUUID() + "@" + host + ">");
    String protocol =
        (t.smtpUtf8 ? "UTF8SMTP" : "ESMTP") + (tls ? "S" : "") + (user.isPresent() ? "A" : "");
    StringBuilder prefix = new StringBuilder();
    prefix
        .append("Received: from ")
        .append(helo)
        .append(" (")
        .append(clientIp)
        .append(")\r\n\tby ")
        .append(host)
        .append(" (ePOST) with ")
        .append(protocol)
        .append(";\r\n\t")
        .append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(context.clock())))
        .append("\r\n");
    if (existing.isEmpty()) {
      prefix.append("Message-ID: ").append(messageId).append("\r\n");
    }
    byte[] prefixBytes = prefix.toString().getBytes(StandardCharsets.UTF_8);
    Envelope envelope = new Envelope(t.reversePath, t.recipients, messageId, user, clientIp);
    RelayQueue.Staged staged = null;
    try {
      if (!t.relayedRecipients.isEmpty()) {
        staged =
            context
                .relay()
                .orElseThrow()
                .stage(
                    envelope.withRecipients(t.relayedRecipients),
                    new SequenceInputStream(new ByteArrayInputStream(prefixBytes), spool.open()));
      }
      if (!t.localRecipients.isEmpty()) {
        Envelope local = envelope.withRecipients(t.localRecipients);
        context
            .backendCaller()
            .call(
                "deliver",
                () -> {
                  try (InputStream message =
                      new SequenceInputStream(
                          new ByteArrayInputStream(prefixBytes), spool.open())) {
                    context.backend().deliver(local, message);
                  }
                });
      }
      if (staged != null) {
        staged.commit();
      }
      return "250 2.0.0 Ok: message " + messageId + " stored";
    } catch (SubmissionException e) {
      if (staged != null) {
        staged.discard();
      }
      return e.status().code() + " " + e.status().enhancedCode() + " " + e.getMessage();
    }
  }
}
