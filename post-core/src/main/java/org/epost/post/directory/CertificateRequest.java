package org.epost.post.directory;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import org.epost.crypto.api.AgreementPublicKey;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.post.api.MailAddress;

/**
 * A user's request for a certificate (ADR 0104): the address, both public keys, when it was made
 * and a nonce, signed with the signing key it names (proof of possession: nobody can enrol a key it
 * does not hold).
 *
 * <p>Encoding: context {@code "epost/certificate-request"} v1, fields 1 address (normalised UTF-8,
 * 3..254 bytes), 2 signing key (32), 3 encryption key (32), 4 created at (epoch milliseconds), 5
 * nonce (16), 15 Ed25519 signature by field 2's key over every preceding byte (the context string
 * included, so the signature cannot be taken for any other signed object of the project). At most
 * {@value #MAX_BYTES} bytes. The encryption key cannot sign; it is bound by the signature (whoever
 * names someone else's encryption key only makes mail to itself unreadable to itself). Immutable.
 */
public final class CertificateRequest {
  static final String CONTEXT = "epost/certificate-request";

  /** Largest encoding accepted. */
  public static final int MAX_BYTES = 512;

  private final MailAddress address;
  private final SigningPublicKey signingKey;
  private final AgreementPublicKey encryptionKey;
  private final Instant createdAt;
  private final byte[] encoded;

  private CertificateRequest(
      MailAddress address,
      SigningPublicKey signingKey,
      AgreementPublicKey encryptionKey,
      Instant createdAt,
      byte[] encoded) {
    this.address = address;
    this.signingKey = signingKey;
    this.encryptionKey = encryptionKey;
    this.createdAt = createdAt;
    this.encoded = encoded;
  }

  /** Makes and signs a request for {@code identity}'s keys under {@code address}. */
  public static CertificateRequest create(
      MailAddress address, UserIdentity identity, Instant now, SecureRandom random) {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    CanonicalWriter w =
        CanonicalWriter.start(CONTEXT, 1)
            .text(1, address.value())
            .bytes(2, identity.signing().publicKey().toBytes())
            .bytes(3, identity.encryption().publicKey().toBytes())
            .u64(4, now.toEpochMilli())
            .bytes(5, nonce);
    byte[] sig = identity.signing().sign(w.toByteArray());
    byte[] encoded = w.bytes(15, sig).toByteArray();
    return new CertificateRequest(
        address,
        identity.signing().publicKey(),
        identity.encryption().publicKey(),
        Instant.ofEpochMilli(now.toEpochMilli()),
        encoded);
  }

  /**
   * Parses a request and checks its proof of possession.
   *
   * @throws CryptoFormatException if malformed, over the bound, or the address is not normalised
   * @throws VerificationException if the signature does not verify under the key it names
   */
  public static CertificateRequest decode(byte[] bytes) throws CryptoException {
    if (bytes.length > MAX_BYTES) {
      throw new CryptoFormatException("a certificate request is at most " + MAX_BYTES + " bytes");
    }
    CanonicalReader r = CanonicalReader.open(bytes, CONTEXT, 1);
    String a = r.text(1, 3, MailAddress.MAX_ADDRESS);
    MailAddress address;
    try {
      address = new MailAddress(a);
    } catch (IllegalArgumentException e) {
      throw new CryptoFormatException("the request's address is not normalised: " + a);
    }
    SigningPublicKey sk = SigningPublicKey.fromBytes(r.bytes(2, 32));
    AgreementPublicKey ek = AgreementPublicKey.fromBytes(r.bytes(3, 32));
    long created = r.u64(4);
    r.bytes(5, 16);
    int signedLength = r.position();
    byte[] sig = r.bytes(15, SigningPublicKey.SIGNATURE_LENGTH);
    r.end();
    if (created < 0 || created > 253_402_300_799_999L) {
      throw new CryptoFormatException("request time out of range");
    }
    if (!sk.verify(bytes, 0, signedLength, sig)) {
      throw new VerificationException(
          "the request for " + a + " is not signed by the key it names (no proof of possession)");
    }
    return new CertificateRequest(
        address, sk, ek, Instant.ofEpochMilli(created), Arrays.copyOf(bytes, bytes.length));
  }

  public MailAddress address() {
    return address;
  }

  public SigningPublicKey signingKey() {
    return signingKey;
  }

  public AgreementPublicKey encryptionKey() {
    return encryptionKey;
  }

  public Instant createdAt() {
    return createdAt;
  }

  /** The canonical encoding (a copy): what the user hands to the authority. */
  public byte[] encode() {
    return encoded.clone();
  }

  @Override
  public String toString() {
    return "CertificateRequest(" + address + ", " + signingKey + ")";
  }
}
