package org.epost.post.api;

import java.util.Objects;
import org.epost.crypto.api.AgreementPublicKey;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;

/**
 * A verified directory answer: the user's certificate, issued by the ring's authority for exactly
 * this address, valid at the reading node's wall time and not revoked when it was checked.
 *
 * @param address the normalised address
 * @param certificate the authority's certificate binding the address to the user's keys
 * @param sequence the directory entry's signed sequence (grows on every re-issue or revocation)
 */
public record UserRecord(MailAddress address, UserCertificate certificate, long sequence) {
  public UserRecord {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(certificate, "certificate");
  }

  /** The user's signing key (notifications, log heads). */
  public SigningPublicKey signingKey() {
    return certificate.signingKey();
  }

  /** The user's key for sealed payloads. */
  public AgreementPublicKey encryptionKey() {
    return certificate.encryptionKey();
  }
}
