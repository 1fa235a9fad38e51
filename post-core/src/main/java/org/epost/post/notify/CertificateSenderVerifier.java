package org.epost.post.notify;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.cert.CertificateVerifier;
import org.epost.overlay.api.Clock;

/**
 * A {@link SenderVerifier} over certificates the caller can name by address (a directory cache, a
 * contact list): the certificate must be the ring authority's, valid now, unrevoked (crypto's
 * {@link CertificateVerifier}), for that address, and for that signing key.
 */
public final class CertificateSenderVerifier implements SenderVerifier {
  private final CertificateVerifier verifier;
  private final Function<String, Optional<UserCertificate>> certificates;
  private final Clock clock;

  /**
   * @param verifier checks the authority's signature, validity and revocation
   * @param certificates the certificate currently known for an address, if any
   * @param clock the node's clock (wall time for validity)
   */
  public CertificateSenderVerifier(
      CertificateVerifier verifier,
      Function<String, Optional<UserCertificate>> certificates,
      Clock clock) {
    this.verifier = verifier;
    this.certificates = certificates;
    this.clock = clock;
  }

  @Override
  public CompletionStage<UserCertificate> verifySender(String address, SigningPublicKey key) {
    try {
      UserCertificate cert =
          certificates
              .apply(address)
              .orElseThrow(() -> new VerificationException("no certificate for " + address));
      verifier.verify(cert, clock.wallInstant());
      if (!cert.address().equals(address)) {
        throw new VerificationException("certificate is for " + cert.address());
      }
      if (!cert.signingKey().equals(key)) {
        throw new VerificationException(address + " is certified for another signing key");
      }
      return CompletableFuture.completedFuture(cert);
    } catch (VerificationException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
