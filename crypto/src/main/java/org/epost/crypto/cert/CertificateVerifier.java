package org.epost.crypto.cert;

import java.time.Instant;
import java.util.Objects;
import org.epost.crypto.api.NodeCertificate;
import org.epost.crypto.api.RevocationList;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.VerificationException;

/**
 * Checks certificates against one ring authority key and the newest revocation list it has
 * accepted. Thread-safe: {@link #verify} may run on any thread while {@link #update} installs a
 * newer list; the list reference is published through a volatile field.
 */
public final class CertificateVerifier {
  private final SigningPublicKey authority;
  private volatile RevocationList revocations;

  /** A verifier trusting {@code authority} with no revocation list yet. */
  public CertificateVerifier(SigningPublicKey authority) {
    this.authority = Objects.requireNonNull(authority, "authority");
  }

  /**
   * Installs {@code candidate} if it is signed by the authority and has a higher version than the
   * current list.
   *
   * @return true if installed, false if it is not newer (an old or equal version: ignored)
   * @throws VerificationException if it is not signed by this ring's authority
   */
  public synchronized boolean update(RevocationList candidate) throws VerificationException {
    if (!candidate.isSignedBy(authority)) {
      throw new VerificationException("revocation list is not signed by the ring authority");
    }
    RevocationList current = revocations;
    if (current != null && candidate.version() <= current.version()) {
      return false;
    }
    revocations = candidate;
    return true;
  }

  /** The installed revocation list's version, or -1 if none. */
  public long revocationVersion() {
    RevocationList r = revocations;
    return r == null ? -1 : r.version();
  }

  /**
   * Checks a user certificate at time {@code now}.
   *
   * @throws VerificationException naming the reason: bad signature, not yet valid, expired, or
   *     revoked
   */
  public void verify(UserCertificate cert, Instant now) throws VerificationException {
    if (!cert.isSignedBy(authority)) {
      throw new VerificationException(
          "certificate for " + cert.address() + " is not signed by this ring's authority");
    }
    checkTimeAndRevocation(
        "certificate for " + cert.address(), cert.serial(), cert.notBefore(), cert.notAfter(), now);
  }

  /** Checks a node certificate at time {@code now}; same failures as for users. */
  public void verify(NodeCertificate cert, Instant now) throws VerificationException {
    if (!cert.isSignedBy(authority)) {
      throw new VerificationException(
          "certificate for node " + cert.nodeId() + " is not signed by this ring's authority");
    }
    checkTimeAndRevocation(
        "certificate for node " + cert.nodeId(),
        cert.serial(),
        cert.notBefore(),
        cert.notAfter(),
        now);
  }

  private void checkTimeAndRevocation(
      String what, long serial, Instant notBefore, Instant notAfter, Instant now)
      throws VerificationException {
    if (now.isBefore(notBefore)) {
      throw new VerificationException(what + " is not valid before " + notBefore);
    }
    if (now.isAfter(notAfter)) {
      throw new VerificationException(what + " expired at " + notAfter);
    }
    RevocationList r = revocations;
    if (r != null && r.isRevoked(serial)) {
      throw new VerificationException(
          what + " (serial " + serial + ") is revoked by revocation list " + r.version());
    }
  }
}
