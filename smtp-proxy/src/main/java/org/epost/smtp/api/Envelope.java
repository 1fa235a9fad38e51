package org.epost.smtp.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SMTP envelope of one accepted transaction.
 *
 * @param reversePath the MAIL FROM address, or the empty string for the null reverse-path ({@code
 *     <>}, used by bounces)
 * @param recipients the accepted RCPT TO addresses, in order, never empty
 * @param messageId the message's Message-ID header value including angle brackets; the server adds
 *     one before delivery if the client did not
 * @param authenticatedUser the AUTH identity on the submission port, empty in gateway mode
 * @param clientAddress the client's IP address as text
 */
public record Envelope(
    String reversePath,
    List<String> recipients,
    String messageId,
    Optional<String> authenticatedUser,
    String clientAddress) {
  public Envelope {
    Objects.requireNonNull(reversePath, "reversePath");
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(authenticatedUser, "authenticatedUser");
    Objects.requireNonNull(clientAddress, "clientAddress");
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("an envelope needs at least one recipient");
    }
  }

  /** A copy of this envelope with other recipients. */
  public Envelope withRecipients(List<String> otherRecipients) {
    return new Envelope(reversePath, otherRecipients, messageId, authenticatedUser, clientAddress);
  }
}
