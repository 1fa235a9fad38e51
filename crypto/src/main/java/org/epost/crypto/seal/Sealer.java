package org.epost.crypto.seal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.epost.crypto.api.AgreementKeyPair;
import org.epost.crypto.api.AgreementPublicKey;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.OpenedEnvelope;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.crypto.primitives.AesGcm;
import org.epost.crypto.primitives.Hkdf;

/**
 * Seals a small payload to a recipient's X25519 key and signs it with the sender's Ed25519 key,
 * inside the encryption, so that only the recipient learns who sent it (ADR 0014).
 *
 * <pre>
 * e, E         = fresh X25519 key pair
 * okm          = HKDF-SHA-256(salt = E || R, ikm = X25519(e, R), info = "epost/seal/v1", 44)
 * key, nonce   = okm[0..32), okm[32..44)
 * inner        = "epost/sealed-content" v1: 1 sender key, 2 recipient key R, 3 timestamp (ms),
 *                4 random nonce (16), 5 payload, 15 sender's signature over fields 1..5
 * envelope     = "epost/sealed" v1: 1 E, 2 AES-256-GCM(key, nonce, aad = E, inner)
 * </pre>
 *
 * <p>Naming the recipient inside the signed part stops a recipient from re-sealing a message to a
 * third party as if the sender had sent it there. Thread-safe.
 */
public final class Sealer {
  /** Largest payload that can be sealed. */
  public static final int MAX_PAYLOAD = 64 * 1024;

  /** Length of the replay nonce. */
  public static final int NONCE_LENGTH = 16;

  static final String OUTER = "epost/sealed";
  static final String INNER = "epost/sealed-content";
  private static final byte[] INFO = "epost/seal/v1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_INNER = MAX_PAYLOAD + 512;

  private final SecureRandom random;

  /** A sealer drawing ephemeral keys and nonces from {@code random}. */
  public Sealer(SecureRandom random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Seals {@code payload} from {@code sender} to {@code recipient}, stamped {@code now}. */
  public byte[] seal(
      SigningKeyPair sender, AgreementPublicKey recipient, Instant now, byte[] payload) {
    if (payload.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException("sealed payloads are at most " + MAX_PAYLOAD + " bytes");
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    random.nextBytes(nonce);
    byte[] recipientKey = recipient.toBytes();
    CanonicalWriter w =
        CanonicalWriter.start(INNER, 1)
            .bytes(1, sender.publicKey().toBytes())
            .bytes(2, recipientKey)
            .u64(3, now.toEpochMilli())
            .bytes(4, nonce)
            .bytes(5, payload);
    byte[] tbs = w.toByteArray();
    byte[] inner = w.bytes(15, sender.sign(tbs)).toByteArray();

    AgreementKeyPair ephemeral = AgreementKeyPair.generate(random);
    byte[] e = ephemeral.publicKey().toBytes();
    byte[] shared;
    try {
      shared = ephemeral.agree(recipient);
    } catch (VerificationException ex) {
      throw new IllegalArgumentException("recipient key is a low-order point", ex);
    }
    byte[] okm = Hkdf.derive(concat(e, recipientKey), shared, INFO, 44);
    byte[] ct = AesGcm.encrypt(Arrays.copyOf(okm, 32), Arrays.copyOfRange(okm, 32, 44), e, inner);
    Arrays.fill(shared, (byte) 0);
    Arrays.fill(okm, (byte) 0);
    return CanonicalWriter.start(OUTER, 1).bytes(1, e).bytes(2, ct).toByteArray();
  }

  /**
   * Opens an envelope addressed to {@code recipient} and checks the sender's signature. Replay and
   * freshness checks are the caller's ({@link ReplayDetector}); whether the sender is who the
   * caller expects (a certificate lookup) is the caller's too.
   *
   * @throws CryptoFormatException if the envelope or its contents are malformed
   * @throws VerificationException if it is not for this recipient, was tampered with, or the
   *     signature does not verify
   */
  public static OpenedEnvelope open(AgreementKeyPair recipient, byte[] envelope)
      throws CryptoException {
    CanonicalReader outer = CanonicalReader.open(envelope, OUTER, 1);
    byte[] e = outer.bytes(1, 32);
    byte[] ct = outer.bytes(2, AesGcm.TAG_LENGTH, MAX_INNER + AesGcm.TAG_LENGTH);
    outer.end();
    byte[] recipientKey = recipient.publicKey().toBytes();
    byte[] shared = recipient.agree(AgreementPublicKey.fromBytes(e));
    byte[] okm = Hkdf.derive(concat(e, recipientKey), shared, INFO, 44);
    byte[] inner;
    try {
      inner = AesGcm.decrypt(Arrays.copyOf(okm, 32), Arrays.copyOfRange(okm, 32, 44), e, ct);
    } catch (VerificationException ex) {
      throw new VerificationException(
          "sealed envelope cannot be opened: not addressed to this key, or tampered with");
    } finally {
      Arrays.fill(shared, (byte) 0);
      Arrays.fill(okm, (byte) 0);
    }
    CanonicalReader r = CanonicalReader.open(inner, INNER, 1);
    SigningPublicKey sender = SigningPublicKey.fromBytes(r.bytes(1, 32));
    byte[] named = r.bytes(2, 32);
    long millis = r.u64(3);
    byte[] nonce = r.bytes(4, NONCE_LENGTH);
    byte[] payload = r.bytes(5, 0, MAX_PAYLOAD);
    int signed = r.position();
    byte[] sig = r.bytes(15, SigningPublicKey.SIGNATURE_LENGTH);
    r.end();
    if (!MessageDigest.isEqual(named, recipientKey)) {
      throw new VerificationException("sealed content names a different recipient");
    }
    if (!sender.verify(inner, 0, signed, sig)) {
      throw new VerificationException("sender's signature on the sealed content does not verify");
    }
    if (millis < 0) {
      throw new CryptoFormatException("negative timestamp");
    }
    return new OpenedEnvelope(sender, Instant.ofEpochMilli(millis), nonce, payload);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
