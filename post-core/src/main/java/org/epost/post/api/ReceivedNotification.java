package org.epost.post.api;

import java.util.Objects;
import org.epost.crypto.api.SigningPublicKey;

/**
 * A notification as its recipient receives it: opened, its signature checked, its sender verified
 * against the directory ({@code SenderVerifier}) and not seen before. Arrays are not copied.
 *
 * @param id the sender's notification id
 * @param senderAddress the sender's address, as certified
 * @param senderKey the sender's signing key (the key that signed the notification)
 * @param senderCertificateSerial the serial of the certificate the sender named
 * @param sentAtMillis the sender's wall time (epoch ms) when it sealed the notification
 * @param messageReference the message reference, opaque to this service (the message store's)
 * @param partSummary the message's part summary, opaque to this service
 */
public record ReceivedNotification(
    NotificationId id,
    String senderAddress,
    SigningPublicKey senderKey,
    long senderCertificateSerial,
    long sentAtMillis,
    byte[] messageReference,
    byte[] partSummary) {
  public ReceivedNotification {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(senderAddress, "senderAddress");
    Objects.requireNonNull(senderKey, "senderKey");
    Objects.requireNonNull(messageReference, "messageReference");
    Objects.requireNonNull(partSummary, "partSummary");
  }
}
