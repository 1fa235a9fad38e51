package org.epost.crypto.keyfile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.generators.SCrypt;
import org.epost.crypto.api.AgreementKeyPair;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeIdentity;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.api.WrongPassphraseException;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.crypto.primitives.AesGcm;
import org.epost.crypto.primitives.Sha256;

/**
 * Reads and writes passphrase-protected identity files (ADR 0015).
 *
 * <pre>
 * file  = body || SHA-256(body)                          the checksum tells damage from a wrong
 *                                                        passphrase
 * body  = "epost/key-file" v1: 1 kdf (1 = scrypt), 2 logN, 3 r, 4 p, 5 salt (16..64),
 *         6 check (16), 7 nonce (12), 8 AES-256-GCM(k, nonce, aad = fields 1..7, identity)
 * okm   = scrypt(NFC-normalised UTF-8 passphrase, salt, 2^logN, r, p, 64)
 * k     = okm[0..32);  check = SHA-256("epost/key-file/check" || okm[32..64))[0..16)
 * identity = "epost/identity" v1: 1 kind (1 user, 2 node), 2 Ed25519 seed, 3 X25519 private
 *         key (32 bytes for a user, empty for a node)
 * </pre>
 *
 * <p>Writes go to a temporary file in the same directory created with mode 0600, are fsynced,
 * atomically renamed over the target, and the directory is fsynced: a crash leaves either the old
 * file or the new one, never a mix. Thread-safe; concurrent writers of one path race, and the last
 * rename wins.
 */
public final class KeyFiles {
  static final String CONTEXT = "epost/key-file";
  static final String IDENTITY = "epost/identity";
  static final int KIND_USER = 1;
  static final int KIND_NODE = 2;
  private static final int KDF_SCRYPT = 1;
  private static final int CHECKSUM = 32;
  private static final byte[] CHECK_DOMAIN =
      "epost/key-file/check".getBytes(StandardCharsets.US_ASCII);

  private final SecureRandom random;
  private final ScryptParameters params;

  /**
   * A writer drawing salts and nonces from {@code random} and deriving keys with {@code params}.
   */
  public KeyFiles(SecureRandom random, ScryptParameters params) {
    this.random = Objects.requireNonNull(random, "random");
    this.params = Objects.requireNonNull(params, "params");
  }

  /** Writes {@code user} to {@code path}, protected by {@code passphrase}. */
  public void write(Path path, UserIdentity user, char[] passphrase) throws IOException {
    byte[] seed = user.signing().exportSeed();
    byte[] x = user.encryption().exportPrivate();
    writeAtomically(path, seal(KIND_USER, seed, x, passphrase));
    Arrays.fill(seed, (byte) 0);
    Arrays.fill(x, (byte) 0);
  }

  /** Writes {@code node} to {@code path}, protected by {@code passphrase}. */
  public void write(Path path, NodeIdentity node, char[] passphrase) throws IOException {
    byte[] seed = node.signing().exportSeed();
    writeAtomically(path, seal(KIND_NODE, seed, new byte[0], passphrase));
    Arrays.fill(seed, (byte) 0);
  }

  /**
   * Reads a user identity.
   *
   * @throws IOException if the file cannot be read
   * @throws WrongPassphraseException if the passphrase is wrong (the file is intact)
   * @throws CryptoFormatException if the file is damaged, truncated, not a key file, or holds a
   *     node identity
   */
  public static UserIdentity readUser(Path path, char[] passphrase)
      throws IOException, CryptoException {
    byte[][] keys = open(Files.readAllBytes(path), passphrase, KIND_USER, path.toString());
    return new UserIdentity(
        SigningKeyPair.fromSeed(keys[0]), AgreementKeyPair.fromPrivate(keys[1]));
  }

  /** Reads a node identity; failures as for {@link #readUser}. */
  public static NodeIdentity readNode(Path path, char[] passphrase)
      throws IOException, CryptoException {
    byte[][] keys = open(Files.readAllBytes(path), passphrase, KIND_NODE, path.toString());
    return new NodeIdentity(SigningKeyPair.fromSeed(keys[0]));
  }

  byte[] seal(int kind, byte[] seed, byte[] agreement, char[] passphrase) {
    byte[] identity =
        CanonicalWriter.start(IDENTITY, 1)
            .u8(1, kind)
            .bytes(2, seed)
            .bytes(3, agreement)
            .toByteArray();
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
    random.nextBytes(nonce);
    byte[] okm = kdf(passphrase, salt, params);
    CanonicalWriter w =
        CanonicalWriter.start(CONTEXT, 1)
            .u8(1, KDF_SCRYPT)
            .u8(2, params.logN())
            .u8(3, params.r())
            .u8(4, params.p())
            .bytes(5, salt)
            .bytes(6, check(okm))
            .bytes(7, nonce);
    byte[] aad = w.toByteArray();
    byte[] ct = AesGcm.encrypt(Arrays.copyOf(okm, 32), nonce, aad, identity);
    Arrays.fill(okm, (byte) 0);
    Arrays.fill(identity, (byte) 0);
    byte[] body = w.bytes(8, ct).toByteArray();
    byte[] file = Arrays.copyOf(body, body.length + CHECKSUM);
    System.arraycopy(Sha256.hash(body), 0, file, body.length, CHECKSUM);
    return file;
  }

  static byte[][] open(byte[] file, char[] passphrase, int expectedKind, String name)
      throws CryptoException {
    if (file.length < CHECKSUM + 1) {
      throw new CryptoFormatException("key file " + name + " is truncated");
    }
    int bodyLen = file.length - CHECKSUM;
    MessageDigest sha = Sha256.get();
    sha.update(file, 0, bodyLen);
    if (!MessageDigest.isEqual(sha.digest(), Arrays.copyOfRange(file, bodyLen, file.length))) {
      throw new CryptoFormatException(
          "key file " + name + " is damaged (checksum mismatch); restore it from a backup");
    }
    CanonicalReader r = CanonicalReader.open(file, 0, bodyLen, CONTEXT, 1);
    if (r.u8(1) != KDF_SCRYPT) {
      throw new CryptoFormatException("key file " + name + " uses an unknown KDF");
    }
    ScryptParameters p;
    try {
      p = new ScryptParameters(r.u8(2), r.u8(3), r.u8(4));
    } catch (IllegalArgumentException e) {
      throw new CryptoFormatException("key file " + name + ": " + e.getMessage());
    }
    byte[] salt = r.bytes(5, 16, 64);
    byte[] check = r.bytes(6, 16);
    byte[] nonce = r.bytes(7, AesGcm.NONCE_LENGTH);
    int aadLen = r.position();
    byte[] ct = r.bytes(8, AesGcm.TAG_LENGTH, 4096);
    r.end();
    byte[] okm = kdf(passphrase, salt, p);
    byte[] identity;
    try {
      if (!MessageDigest.isEqual(check, check(okm))) {
        throw new WrongPassphraseException("wrong passphrase for key file " + name);
      }
      identity = AesGcm.decrypt(Arrays.copyOf(okm, 32), nonce, Arrays.copyOf(file, aadLen), ct);
    } catch (VerificationException e) {
      throw new CryptoFormatException("key file " + name + " does not decrypt; it is damaged");
    } finally {
      Arrays.fill(okm, (byte) 0);
    }
    CanonicalReader ir = CanonicalReader.open(identity, IDENTITY, 1);
    int kind = ir.u8(1);
    byte[] seed = ir.bytes(2, 32);
    byte[] x = ir.bytes(3, 0, 32);
    ir.end();
    Arrays.fill(identity, (byte) 0);
    if (kind != expectedKind) {
      throw new CryptoFormatException(
          "key file "
              + name
              + " holds a "
              + (kind == KIND_USER ? "user" : "node")
              + " identity, not a "
              + (expectedKind == KIND_USER ? "user" : "node")
              + " identity");
    }
    if ((kind == KIND_USER) != (x.length == 32)) {
      throw new CryptoFormatException("key file " + name + " has a malformed identity");
    }
    return new byte[][] {seed, x};
  }

  private static byte[] check(byte[] okm) {
    MessageDigest sha = Sha256.get();
    sha.update(CHECK_DOMAIN);
    sha.update(okm, 32, 32);
    return Arrays.copyOf(sha.digest(), 16);
  }

  private static byte[] kdf(char[] passphrase, byte[] salt, ScryptParameters p) {
    String normalized = Normalizer.normalize(CharBuffer.wrap(passphrase), Normalizer.Form.NFC);
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(normalized);
    byte[] pw = new byte[encoded.remaining()];
    encoded.get(pw);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    try {
      return SCrypt.generate(pw, salt, 1 << p.logN(), p.r(), p.p(), 64);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  static void writeAtomically(Path path, byte[] content) throws IOException {
    Path target = path.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp;
    try {
      tmp =
          Files.createTempFile(
              dir,
              "." + target.getFileName(),
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    }
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + target + " atomically on this file system", e);
      }
      moved = true;
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (FileSystemException | UnsupportedOperationException e) {
        // Directories cannot be opened for fsync on some platforms; the rename is still atomic.
      }
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }
}
