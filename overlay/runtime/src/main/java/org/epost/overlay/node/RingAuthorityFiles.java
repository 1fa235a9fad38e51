package org.epost.overlay.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeCertificate;
import org.epost.crypto.api.NodeIdentity;
import org.epost.crypto.api.RevocationList;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.cert.RingAuthority;
import org.epost.crypto.keyfile.KeyFiles;
import org.epost.crypto.keyfile.ScryptParameters;

/**
 * The files of ring-authority mode (ADR 0089):
 *
 * <ul>
 *   <li>the authority's directory (kept offline by the operator): {@code authority.key}, its
 *       Ed25519 signing key in the ePOST key-file format (scrypt + AES-GCM, passphrase from {@code
 *       EPOST_AUTHORITY_PASSPHRASE}, empty if unset; stored as a node-kind key file, which holds
 *       exactly one Ed25519 seed), and {@code authority.pub}, its public key as 64 hex digits on
 *       one line: the ring's trust anchor, copied to every node;
 *   <li>a node certificate file ({@code node.cert} in the node's data directory by default): the
 *       encoded {@link NodeCertificate} the authority issued for the node's key;
 *   <li>optionally a revocation list file: an encoded, authority-signed {@link RevocationList}.
 * </ul>
 *
 * Every reader checks what it reads and throws an {@link IOException} naming the file and what to
 * do.
 */
final class RingAuthorityFiles {
  static final String KEY_FILE = "authority.key";
  static final String PUBLIC_FILE = "authority.pub";
  static final String PASSPHRASE_ENV = "EPOST_AUTHORITY_PASSPHRASE";

  /** Largest certificate or revocation-list file read (a list of 100,000 serials is ~1 MB). */
  static final long MAX_FILE_BYTES = 4L << 20;

  private RingAuthorityFiles() {}

  /** Creates a new authority in {@code dir} (which must not hold one); returns its public key. */
  static SigningPublicKey init(Path dir, SecureRandom random) throws IOException {
    Files.createDirectories(dir);
    Path key = dir.resolve(KEY_FILE);
    if (Files.exists(key)) {
      throw new IOException(
          key + " exists: this directory already holds a ring authority (not overwritten)");
    }
    SigningKeyPair pair = SigningKeyPair.generate(random);
    new KeyFiles(random, ScryptParameters.DEFAULT).write(key, new NodeIdentity(pair), passphrase());
    writeAtomically(
        dir.resolve(PUBLIC_FILE),
        (hex(pair.publicKey()) + "\n").getBytes(StandardCharsets.US_ASCII));
    return pair.publicKey();
  }

  /** The authority in {@code dir}, ready to sign. */
  static RingAuthority open(Path dir, SecureRandom random) throws IOException {
    Path key = dir.resolve(KEY_FILE);
    if (!Files.exists(key)) {
      throw new IOException(
          "no " + key + ": create the authority first with 'authority init --dir " + dir + "'");
    }
    return new RingAuthority(
        NodeDirectory.readKey(key, passphrase(), PASSPHRASE_ENV).signing(), random);
  }

  /** Reads an {@code authority.pub} file: 64 hex digits. */
  static SigningPublicKey readPublicKey(Path file) throws IOException {
    String text = new String(readBounded(file, 1024), StandardCharsets.US_ASCII).trim();
    try {
      return SigningPublicKey.fromBytes(HexFormat.of().parseHex(text));
    } catch (IllegalArgumentException | CryptoFormatException e) {
      throw new IOException(
          file
              + " is not a ring authority's public key (64 hex digits, as 'authority init' "
              + "writes to "
              + PUBLIC_FILE
              + "): "
              + e.getMessage(),
          e);
    }
  }

  /** Reads a node certificate file. */
  static NodeCertificate readCertificate(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IOException(
          "no node certificate at "
              + file
              + ": have the ring authority issue one for this "
              + "node's key ('node-key --data DIR', then 'authority issue') and pass it with --node-cert");
    }
    try {
      return NodeCertificate.decode(readBounded(file, MAX_FILE_BYTES));
    } catch (CryptoFormatException e) {
      throw new IOException(file + " is not a node certificate: " + e.getMessage(), e);
    }
  }

  /** Reads a revocation list file. */
  static RevocationList readRevocationList(Path file) throws IOException {
    try {
      return RevocationList.decode(readBounded(file, MAX_FILE_BYTES));
    } catch (CryptoFormatException e) {
      throw new IOException(file + " is not a revocation list: " + e.getMessage(), e);
    }
  }

  /** Writes {@code bytes} to {@code file} through a temporary file and a rename. */
  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp =
        Files.createTempFile(
            parent,
            file.getFileName().toString(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    Files.write(tmp, bytes);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static String hex(SigningPublicKey key) {
    return HexFormat.of().formatHex(key.toBytes());
  }

  private static byte[] readBounded(Path file, long max) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no file " + file);
    }
    long size = Files.size(file);
    if (size > max) {
      throw new IOException(file + " holds " + size + " bytes; at most " + max + " are read");
    }
    return Files.readAllBytes(file);
  }

  private static char[] passphrase() {
    return NodeDirectory.passphrase(PASSPHRASE_ENV);
  }
}
