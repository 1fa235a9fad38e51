package org.epost.post.directory;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.RevocationList;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.cert.RingAuthority;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.DirectoryException;

/**
 * The ring authority's side of the directory (ADR 0104), for the operator's tool holding the
 * offline authority key: checks certificate requests, issues certificates (through crypto's {@link
 * RingAuthority}) and signs directory entries, which whoever is online inserts ({@link
 * org.epost.post.api.Directory#publish}). Needs no network and no loop; thread-safe like {@link
 * RingAuthority}.
 *
 * <p>Entry sequences are {@code max(previous + 1, issue time in epoch milliseconds)}: they grow
 * with every re-issue or revocation when the previous entry is known, and still grow when the
 * authority has lost its records (a restored or second authority host) as long as its clock moves
 * forward.
 */
public final class DirectoryAuthority {
  /** Longest validity issued: under PAST's 400-day lease cap, with a margin for clock skew. */
  public static final Duration MAX_VALIDITY = Duration.ofDays(395);

  /** How old (or how far ahead) a request may be. */
  public static final Duration REQUEST_WINDOW = Duration.ofDays(7);

  private final SigningKeyPair key;
  private final RingAuthority ring;

  /** An authority signing with {@code key}; {@code random} picks certificate serials. */
  public DirectoryAuthority(SigningKeyPair key, SecureRandom random) {
    this.key = key;
    this.ring = new RingAuthority(key, random);
  }

  /** The ring's trust anchor: directories are created with it. */
  public SigningPublicKey publicKey() {
    return key.publicKey();
  }

  /**
   * Enrols the requester: a certificate valid from {@code now} for {@code validity}, in a new
   * active entry.
   *
   * @param encodedRequest the request as the user handed it over
   * @throws DirectoryException.EnrolmentRefused if the request does not decode or prove possession,
   *     is older than {@link #REQUEST_WINDOW} or from the future, or the validity is out of bounds
   */
  public DirectoryEntry enrol(byte[] encodedRequest, Instant now, Duration validity) {
    return issue(encodedRequest, null, now, validity);
  }

  /**
   * Re-issues {@code current}'s address (new keys or a renewal): a new certificate under a new
   * serial, in an active entry with a higher sequence. The old certificate's serial should also go
   * on the next revocation list when its keys are not to be used any more.
   */
  public DirectoryEntry reissue(
      DirectoryEntry current, byte[] encodedRequest, Instant now, Duration validity) {
    return issue(encodedRequest, current, now, validity);
  }

  /**
   * Revokes the certificate in {@code current}: the same certificate in an entry with status
   * revoked and a higher sequence, leased until the certificate's notAfter (after which nobody
   * accepts it anyway).
   */
  public DirectoryEntry revoke(DirectoryEntry current, DirectoryEntry.Reason reason, Instant now) {
    if (reason == DirectoryEntry.Reason.NONE) {
      throw new IllegalArgumentException("a revocation needs a reason");
    }
    return sign(
        current.certificate(),
        DirectoryEntry.Status.REVOKED,
        reason,
        now,
        nextSequence(current, now));
  }

  /** Signs revocation list {@code version} (user and node serials share one space). */
  public RevocationList revocationList(long version, Instant now, Collection<Long> serials) {
    return ring.issueRevocationList(version, now, serials);
  }

  /**
   * Signs revocation list {@code version} and wraps it in the ring's revocation object for
   * distribution (ADR 0109): a node publishes it with {@code RevocationDistribution.publish}.
   *
   * @throws IllegalArgumentException beyond {@link SignedRevocations#MAX_SERIALS} serials
   */
  public SignedRevocations revocationObject(long version, Instant now, Collection<Long> serials) {
    return SignedRevocations.sign(key, version, now, serials);
  }

  private DirectoryEntry issue(
      byte[] encodedRequest, DirectoryEntry current, Instant now, Duration validity) {
    CertificateRequest req;
    try {
      req = CertificateRequest.decode(encodedRequest);
    } catch (CryptoException e) {
      throw new DirectoryException.EnrolmentRefused(null, "certificate request refused: " + e);
    }
    String a = req.address().value();
    if (current != null && !current.address().equals(req.address())) {
      throw new DirectoryException.EnrolmentRefused(
          a, "the request is for " + a + ", the entry for " + current.address());
    }
    if (req.createdAt().isBefore(now.minus(REQUEST_WINDOW))
        || req.createdAt().isAfter(now.plus(Duration.ofMinutes(5)))) {
      throw new DirectoryException.EnrolmentRefused(
          a, "the request was made at " + req.createdAt() + ", not within a week before " + now);
    }
    if (validity.isNegative() || validity.isZero() || validity.compareTo(MAX_VALIDITY) > 0) {
      throw new DirectoryException.EnrolmentRefused(
          a, "validity must be between 1 s and " + MAX_VALIDITY.toDays() + " days");
    }
    UserCertificate cert =
        ring.issueUserCertificate(
            a, req.signingKey(), req.encryptionKey(), now, now.plus(validity));
    return sign(
        cert,
        DirectoryEntry.Status.ACTIVE,
        DirectoryEntry.Reason.NONE,
        null,
        nextSequence(current, now));
  }

  private static long nextSequence(DirectoryEntry current, Instant now) {
    long t = now.toEpochMilli();
    return current == null ? t : Math.max(current.sequence() + 1, t);
  }

  private DirectoryEntry sign(
      UserCertificate cert,
      DirectoryEntry.Status status,
      DirectoryEntry.Reason reason,
      Instant revokedAt,
      long sequence) {
    org.epost.post.api.MailAddress a = org.epost.post.api.MailAddress.parse(cert.address());
    byte[] payload = DirectoryEntry.payload(a, cert, status, reason, revokedAt);
    PastObject o =
        PastObject.mutable(
            key, DirectoryEntry.label(a), sequence, payload, cert.notAfter().toEpochMilli());
    try {
      return DirectoryEntry.decode(o, key.publicKey(), a);
    } catch (CryptoException e) {
      throw new IllegalStateException("an entry this authority signed does not verify", e);
    }
  }
}
