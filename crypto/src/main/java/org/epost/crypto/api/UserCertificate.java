package org.epost.crypto.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;

/**
 * A ring authority's statement "address A owns signing key S and encryption key E between notBefore
 * and notAfter", with a serial number for revocation. Immutable.
 *
 * <p>Encoding: context {@code "epost/user-certificate"}, version 1, fields 1 serial (u64), 2
 * address (UTF-8, 3..254 bytes, must contain '@', no control characters), 3 signing key (32), 4
 * encryption key (32), 5 notBefore and 6 notAfter (u64 epoch seconds), 15 the authority's Ed25519
 * signature over every preceding byte. Times have second precision.
 *
 * <p>{@link #decode} checks only the format; {@code CertificateVerifier} checks the signature,
 * validity period and revocation.
 */
public final class UserCertificate {
  static final String CONTEXT = "epost/user-certificate";

  private final long serial;
  private final String address;
  private final SigningPublicKey signingKey;
  private final AgreementPublicKey encryptionKey;
  private final Instant notBefore;
  private final Instant notAfter;
  private final byte[] encoded;
  private final int signedLength;

  private UserCertificate(
      long serial,
      String address,
      SigningPublicKey signingKey,
      AgreementPublicKey encryptionKey,
      Instant notBefore,
      Instant notAfter,
      byte[] encoded,
      int signedLength) {
    this.serial = serial;
    this.address = address;
    this.signingKey = signingKey;
    this.encryptionKey = encryptionKey;
    this.notBefore = notBefore;
    this.notAfter = notAfter;
    this.encoded = encoded;
    this.signedLength = signedLength;
  }

  /**
   * Issues a certificate signed by {@code authority}. Called by {@code RingAuthority}; times are
   * truncated to whole seconds.
   */
  public static UserCertificate issue(
      SigningKeyPair authority,
      long serial,
      String address,
      SigningPublicKey signingKey,
      AgreementPublicKey encryptionKey,
      Instant notBefore,
      Instant notAfter) {
    checkAddress(address);
    if (notAfter.isBefore(notBefore)
        || notBefore.getEpochSecond() < 0
        || notAfter.getEpochSecond() > SignedEncoding.MAX_SECONDS) {
      throw new IllegalArgumentException("validity period is empty or outside 1970..9999");
    }
    CanonicalWriter w =
        body(
            serial,
            address,
            signingKey,
            encryptionKey,
            notBefore.getEpochSecond(),
            notAfter.getEpochSecond());
    int signedLength = w.size();
    byte[] encoded = SignedEncoding.sign(w, authority);
    return new UserCertificate(
        serial,
        address,
        signingKey,
        encryptionKey,
        Instant.ofEpochSecond(notBefore.getEpochSecond()),
        Instant.ofEpochSecond(notAfter.getEpochSecond()),
        encoded,
        signedLength);
  }

  /** Parses an encoded certificate (format only; see the class comment). */
  public static UserCertificate decode(byte[] bytes) throws CryptoFormatException {
    CanonicalReader r = CanonicalReader.open(bytes, CONTEXT, 1);
    long serial = r.u64(1);
    String address = r.text(2, 3, 254);
    try {
      checkAddress(address);
    } catch (IllegalArgumentException e) {
      throw new CryptoFormatException(e.getMessage());
    }
    SigningPublicKey sk = SigningPublicKey.fromBytes(r.bytes(3, 32));
    AgreementPublicKey ek = AgreementPublicKey.fromBytes(r.bytes(4, 32));
    long nb = SignedEncoding.seconds(r.u64(5), "notBefore");
    long na = SignedEncoding.seconds(r.u64(6), "notAfter");
    if (na < nb) {
      throw new CryptoFormatException("certificate expires before it starts");
    }
    int signedLength = r.position();
    SignedEncoding.readSignature(r);
    return new UserCertificate(
        serial,
        address,
        sk,
        ek,
        Instant.ofEpochSecond(nb),
        Instant.ofEpochSecond(na),
        bytes.clone(),
        signedLength);
  }

  static void checkAddress(String address) {
    Objects.requireNonNull(address, "address");
    int at = address.indexOf('@');
    if (at <= 0 || at == address.length() - 1) {
      throw new IllegalArgumentException("address must look like local@domain: " + address);
    }
    if (address.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
      throw new IllegalArgumentException("address contains control characters");
    }
  }

  private static CanonicalWriter body(
      long serial, String address, SigningPublicKey sk, AgreementPublicKey ek, long nb, long na) {
    return CanonicalWriter.start(CONTEXT, 1)
        .u64(1, serial)
        .text(2, address)
        .bytes(3, sk.toBytes())
        .bytes(4, ek.toBytes())
        .u64(5, nb)
        .u64(6, na);
  }

  /** Whether the authority's signature over this certificate verifies under {@code authority}. */
  public boolean isSignedBy(SigningPublicKey authority) {
    return SignedEncoding.verifies(authority, encoded, signedLength);
  }

  /** The canonical encoding (a copy). */
  public byte[] encode() {
    return encoded.clone();
  }

  public long serial() {
    return serial;
  }

  public String address() {
    return address;
  }

  public SigningPublicKey signingKey() {
    return signingKey;
  }

  public AgreementPublicKey encryptionKey() {
    return encryptionKey;
  }

  public Instant notBefore() {
    return notBefore;
  }

  public Instant notAfter() {
    return notAfter;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UserCertificate && Arrays.equals(encoded, ((UserCertificate) o).encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "UserCertificate(" + address + ", serial " + serial + ", until " + notAfter + ")";
  }
}
