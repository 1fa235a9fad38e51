package org.epost.post.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.SignedObject;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.crypto.primitives.Sha256;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.PastObject;

/**
 * One user's directory entry (ADR 0104): a PAST mutable object owned by the ring authority's key,
 * label {@link #label(MailAddress)}, holding the user's certificate and its status. Anyone who
 * knows the address and the authority's public key computes its id ({@link #id}); storers verify
 * the authority's signature as for any mutable object. The PAST signed sequence is the entry's
 * sequence; the signed lease expiry is the certificate's notAfter.
 *
 * <p>Payload (after PAST's signed expiry): context {@code "epost/directory-entry"} v1, fields 1
 * address (normalised, UTF-8), 2 certificate (its encoding, at most {@value #MAX_CERTIFICATE}
 * bytes), 3 status (1 active, 2 revoked), 4 revocation reason (0 none, else {@link Reason}), 5
 * revoked at (epoch seconds, 0 when active).
 *
 * <p>Instances from {@link #decode} are authentic: the object's signature verified under {@code
 * authority}, the object's label is the address's, and the certificate is signed by the authority
 * for this exact address. Validity in time and revocation lists are the reader's checks. Immutable.
 */
public final class DirectoryEntry {
  static final String CONTEXT = "epost/directory-entry";

  /** Largest certificate accepted in an entry. */
  public static final int MAX_CERTIFICATE = 2048;

  private static final byte[] LABEL_DOMAIN =
      "epost/directory-address".getBytes(StandardCharsets.US_ASCII);

  /** Status of the certificate in the entry. */
  public enum Status {
    ACTIVE,
    REVOKED
  }

  /** Why the authority revoked a certificate. */
  public enum Reason {
    NONE(0),
    KEY_COMPROMISE(1),
    SUPERSEDED(2),
    ACCOUNT_CLOSED(3),
    UNSPECIFIED(4);

    final int code;

    Reason(int code) {
      this.code = code;
    }

    static Reason of(int code) throws CryptoFormatException {
      for (Reason r : values()) {
        if (r.code == code) {
          return r;
        }
      }
      throw new CryptoFormatException("unknown revocation reason " + code);
    }
  }

  private final MailAddress address;
  private final UserCertificate certificate;
  private final Status status;
  private final Reason reason;
  private final Instant revokedAt;
  private final long sequence;
  private final PastObject object;

  private DirectoryEntry(
      MailAddress address,
      UserCertificate certificate,
      Status status,
      Reason reason,
      Instant revokedAt,
      long sequence,
      PastObject object) {
    this.address = address;
    this.certificate = certificate;
    this.status = status;
    this.reason = reason;
    this.revokedAt = revokedAt;
    this.sequence = sequence;
    this.object = object;
  }

  /**
   * The entry's PAST label: {@code "directory/"} and the unpadded base64url SHA-256 of the
   * normalised address (53 ASCII bytes). The address is hashed because PAST labels are at most 64
   * bytes and addresses up to 254.
   */
  public static byte[] label(MailAddress address) {
    byte[] h = Sha256.get().digest(concat(LABEL_DOMAIN, address.value()));
    return ("directory/" + Base64.getUrlEncoder().withoutPadding().encodeToString(h))
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The entry's PAST id for {@code address} in the ring whose authority key is {@code authority}.
   */
  public static Id id(SigningPublicKey authority, MailAddress address) {
    return PastObject.mutableId(authority, label(address));
  }

  /** The payload a new version of the entry carries (the authority signs it into a PAST object). */
  public static byte[] payload(
      MailAddress address,
      UserCertificate certificate,
      Status status,
      Reason reason,
      Instant revokedAt) {
    return CanonicalWriter.start(CONTEXT, 1)
        .text(1, address.value())
        .bytes(2, certificate.encode())
        .u8(3, status == Status.ACTIVE ? 1 : 2)
        .u8(4, reason.code)
        .u64(5, revokedAt == null ? 0 : revokedAt.getEpochSecond())
        .toByteArray();
  }

  /**
   * Reads a PAST object as the entry of {@code address} issued by {@code authority}.
   *
   * @throws CryptoException naming why it is not: malformed, not a mutable object, not signed by
   *     the authority, another address's label, a certificate from another key or for another
   *     address
   */
  public static DirectoryEntry decode(
      PastObject object, SigningPublicKey authority, MailAddress address) throws CryptoException {
    if (object.kind() != ObjectKind.MUTABLE) {
      throw new CryptoFormatException("a directory entry is a mutable object");
    }
    SignedObject signed = SignedObject.decode(object.bytes());
    if (!signed.owner().equals(authority)) {
      throw new CryptoFormatException(
          "the entry for " + address + " is signed by " + signed.owner() + ", not the authority");
    }
    if (!Arrays.equals(signed.objectId(), label(address))) {
      throw new CryptoFormatException("the entry served for " + address + " is another label");
    }
    byte[] p = signed.payload();
    if (p.length < 8) {
      throw new CryptoFormatException("the entry has no signed expiry");
    }
    long expiry = java.nio.ByteBuffer.wrap(p).getLong();
    CanonicalReader r = CanonicalReader.open(Arrays.copyOfRange(p, 8, p.length), CONTEXT, 1);
    String a = r.text(1, 3, MailAddress.MAX_ADDRESS);
    UserCertificate cert = UserCertificate.decode(r.bytes(2, 1, MAX_CERTIFICATE));
    int st = r.u8(3);
    Reason reason = Reason.of(r.u8(4));
    long revoked = r.u64(5);
    r.end();
    if (st != 1 && st != 2) {
      throw new CryptoFormatException("unknown entry status " + st);
    }
    if ((st == 1) != (reason == Reason.NONE)) {
      throw new CryptoFormatException(
          "an active entry has no revocation reason, a revoked one has");
    }
    if (!a.equals(address.value())) {
      throw new CryptoFormatException("the entry names " + a + ", not " + address);
    }
    if (!cert.isSignedBy(authority)) {
      throw new CryptoFormatException(
          "the certificate in the entry for " + address + " is not signed by the authority");
    }
    MailAddress certAddress;
    try {
      certAddress = MailAddress.parse(cert.address());
    } catch (IllegalArgumentException e) {
      throw new CryptoFormatException("the certificate names a malformed address");
    }
    if (!certAddress.equals(address)) {
      throw new CryptoFormatException(
          "the certificate in the entry for " + address + " is for " + cert.address());
    }
    if (expiry != cert.notAfter().toEpochMilli()) {
      throw new CryptoFormatException("the entry's lease is not the certificate's notAfter");
    }
    if (revoked < 0 || revoked > 253_402_300_799L) {
      throw new CryptoFormatException("revocation time out of range");
    }
    return new DirectoryEntry(
        address,
        cert,
        st == 1 ? Status.ACTIVE : Status.REVOKED,
        reason,
        st == 1 ? null : Instant.ofEpochSecond(revoked),
        signed.sequence(),
        object);
  }

  private static byte[] concat(byte[] a, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(a, a.length + 1 + b.length);
    System.arraycopy(b, 0, out, a.length + 1, b.length);
    return out;
  }

  public MailAddress address() {
    return address;
  }

  public UserCertificate certificate() {
    return certificate;
  }

  public Status status() {
    return status;
  }

  /** The revocation reason, {@link Reason#NONE} when active. */
  public Reason reason() {
    return reason;
  }

  /** When the authority revoked it, or null when active. */
  public Instant revokedAt() {
    return revokedAt;
  }

  /** The signed sequence: the authority raises it on every re-issue or revocation. */
  public long sequence() {
    return sequence;
  }

  /** The signed PAST object to insert. */
  public PastObject object() {
    return object;
  }

  /** The id of the entry on the ring. */
  public Id id() {
    return object.id();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DirectoryEntry e && e.object.equals(object);
  }

  @Override
  public int hashCode() {
    return Objects.hash(object.id(), sequence);
  }

  @Override
  public String toString() {
    return "DirectoryEntry("
        + address
        + ", serial "
        + certificate.serial()
        + ", "
        + status
        + ", seq "
        + sequence
        + ")";
  }
}
