package org.epost.post.notify;

import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;

/**
 * Checks that the key which signed a notification is certified for the address the notification
 * names. {@link DirectorySenderVerifier} answers through the ring's user directory; {@link
 * CertificateSenderVerifier} over certificates already at hand.
 *
 * <p>Threading: called on the node's loop; the stage completes on the loop.
 */
public interface SenderVerifier {
  /**
   * The valid, unrevoked certificate binding {@code address} to {@code signingKey} (its encryption
   * key is where the recipient seals the receipt). Fails with {@link
   * org.epost.crypto.api.VerificationException} when no such certificate exists (unknown address,
   * another key, expired, revoked), or with a retryable exception when the directory could not be
   * asked.
   */
  CompletionStage<UserCertificate> verifySender(String address, SigningPublicKey signingKey);
}
