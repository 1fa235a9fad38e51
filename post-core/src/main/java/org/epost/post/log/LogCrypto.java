package org.epost.post.log;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.crypto.primitives.AesGcm;
import org.epost.crypto.primitives.Hkdf;

/**
 * Encryption of one log's blocks and tail: AES-256-GCM under the log key, HKDF-SHA-256 of the
 * user's log secret with the log's label as info, and a random 96-bit nonce per block from the
 * node's secure generator. The associated data binds the kind of block and the label, so a block
 * cannot be replayed into another log or as another kind.
 *
 * <p>Sealed encoding: context {@code "epost/log-block"} v1, 1 kind (u8), 2 nonce (12), 3 ciphertext
 * with tag.
 */
final class LogCrypto {
  static final int ENTRY = 1;
  static final int TAIL = 2;

  /**
   * The snapshot tree's root key, sealed into the head (kind 4, the old snapshot leaf, retired).
   */
  static final int SNAPSHOT_ROOT = 3;

  private static final String CONTEXT = "epost/log-block";
  private static final byte[] KEY_SALT = "epost/log-key v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONVERGENCE_SALT =
      "epost/log-convergence v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] key;
  private final byte[] label;
  private final SecureRandom random;
  private final byte[] convergenceSecret;
  private ConvergentEncryption convergence;

  LogCrypto(byte[] logSecret, byte[] label, SecureRandom random) {
    this.key = Hkdf.derive(KEY_SALT, logSecret, label, AesGcm.KEY_LENGTH);
    this.convergenceSecret = Hkdf.derive(CONVERGENCE_SALT, logSecret, label, 32);
    this.label = label.clone();
    this.random = random;
  }

  /**
   * Convergent encryption of the snapshot trees (ADR 0102, amended): the store's block format under
   * a secret of this log alone (HKDF of the log secret with the label as info), so only this log's
   * equal contents share blocks. Made on first use (only writers of snapshots need it); on the
   * loop.
   */
  ConvergentEncryption convergence() {
    if (convergence == null) {
      convergence = new ConvergentEncryption(convergenceSecret);
    }
    return convergence;
  }

  byte[] seal(int kind, byte[] plaintext) {
    byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
    random.nextBytes(nonce);
    byte[] ct = AesGcm.encrypt(key, nonce, aad(kind), plaintext);
    return CanonicalWriter.start(CONTEXT, 1).u8(1, kind).bytes(2, nonce).bytes(3, ct).toByteArray();
  }

  byte[] open(int kind, byte[] sealed) throws CryptoException {
    CanonicalReader r = CanonicalReader.open(sealed, CONTEXT, 1);
    int k = r.u8(1);
    byte[] nonce = r.bytes(2, AesGcm.NONCE_LENGTH);
    byte[] ct = r.bytes(3, AesGcm.TAG_LENGTH, sealed.length);
    r.end();
    if (k != kind) {
      throw new org.epost.crypto.api.CryptoFormatException(
          "block of kind " + k + " where kind " + kind + " was expected");
    }
    return AesGcm.decrypt(key, nonce, aad(kind), ct);
  }

  private byte[] aad(int kind) {
    byte[] a = new byte[label.length + 1];
    a[0] = (byte) kind;
    System.arraycopy(label, 0, a, 1, label.length);
    return a;
  }

  /** The user's log secret from the seed of the user's signing key (ADR 0102). */
  static byte[] logSecret(byte[] signingSeed) {
    return Hkdf.derive(
        "epost/log-secret v1".getBytes(StandardCharsets.US_ASCII),
        signingSeed,
        "epost/log-secret".getBytes(StandardCharsets.US_ASCII),
        32);
  }
}
