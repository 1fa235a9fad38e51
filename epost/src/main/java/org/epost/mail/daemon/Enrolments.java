package org.epost.mail.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.keyfile.KeyFiles;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.MailAddress;
import org.epost.post.directory.CertificateRequest;
import org.epost.post.directory.DirectoryAuthority;
import org.epost.post.directory.Enrolment;

/**
 * A local account's enrolment files (ADR 0121): the user side of {@link Enrolment} (keys, the
 * passphrase-wrapped key file, the certificate request), the authority's signature when its key is
 * at hand ({@link #sign}), and the signed directory entry the daemon publishes at its next start
 * ({@code Enrolment.complete} on the user's node). Also the account's proxy password and device
 * name. Blocking disk I/O: never on a node's loop.
 */
public final class Enrolments {
  /** Validity of a certificate issued here. */
  public static final Duration VALIDITY = Duration.ofDays(365);

  /** Largest entry file read (a directory entry is one PAST object). */
  static final int MAX_ENTRY_BYTES = PastObject.MAX_BYTES;

  private static final char[] PASSWORD_ALPHABET =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();

  private Enrolments() {}

  /** What {@link #enrol} did. */
  public record Result(AccountDirectory account, boolean signed) {}

  /**
   * Creates account {@code address} in {@code d}: fresh keys in a key file wrapped with {@code
   * passphrase}, a certificate request, a proxy password and a device name; signed at once when the
   * authority's key is in {@code d} ({@code authorityPassphrase} unwraps it).
   *
   * @throws IOException if the account exists, or a file cannot be written
   * @throws IllegalArgumentException if the address is not a valid mail address
   */
  public static Result enrol(
      DataDirectory d,
      String address,
      char[] passphrase,
      char[] authorityPassphrase,
      SecureRandom random,
      ScryptParameters scrypt)
      throws IOException {
    AccountDirectory a = d.account(address);
    if (Files.exists(a.keyFile())) {
      throw new IOException(
          a.address() + " is enrolled in " + d + " already (" + a.keyFile() + "); nothing changed");
    }
    RingFiles.authorityPublicKey(d); // belongs to a ring: fails with what to do otherwise
    DataDirectory.createPrivateDirectory(a.dir());
    UserIdentity identity = Enrolment.generate(random);
    Enrolment.writeKeyFile(a.keyFile(), identity, passphrase, random, scrypt);
    CertificateRequest req = Enrolment.request(a.address(), identity, Instant.now(), random);
    DataDirectory.writeAtomically(a.requestFile(), req.encode(), false);
    byte[] dev = new byte[6];
    random.nextBytes(dev);
    DataDirectory.writeAtomically(
        a.deviceFile(),
        ("d" + HexFormat.of().formatHex(dev) + "\n").getBytes(StandardCharsets.US_ASCII),
        false);
    DataDirectory.writeAtomically(
        a.passwordFile(), (newPassword(random) + "\n").getBytes(StandardCharsets.US_ASCII), true);
    boolean signed = false;
    if (RingFiles.hasAuthorityKey(d)) {
      DirectoryAuthority authority = RingFiles.openAuthority(d, authorityPassphrase, random);
      writeEntry(a.entryFile(), sign(authority, req.encode()));
      signed = true;
    }
    return new Result(a, signed);
  }

  /**
   * The authority's side: checks a request and signs the directory entry for it.
   *
   * @throws DirectoryException.EnrolmentRefused if the request is malformed, lacks proof of
   *     possession or is too old
   */
  public static DirectoryEntry sign(DirectoryAuthority authority, byte[] request) {
    return authority.enrol(request, Instant.now(), VALIDITY);
  }

  /** Reads a request file (for {@code epost ring sign}). */
  public static byte[] readRequest(Path file) throws IOException {
    return DataDirectory.readBounded(file, CertificateRequest.MAX_BYTES);
  }

  /** The address a request is for, after checking its proof of possession. */
  public static MailAddress requestAddress(byte[] request) throws IOException {
    try {
      return CertificateRequest.decode(request).address();
    } catch (CryptoException e) {
      throw new IOException("not a certificate request: " + e.getMessage(), e);
    }
  }

  /** Writes a signed entry (its PAST object's bytes). */
  public static void writeEntry(Path file, DirectoryEntry entry) throws IOException {
    DataDirectory.writeAtomically(file, entry.object().bytes(), false);
  }

  /**
   * Reads the signed entry of {@code a}, checked against the ring's {@code authority}.
   *
   * @throws IOException if it is missing (with the command that makes it), or is not the
   *     authority's entry for this address
   */
  public static DirectoryEntry readEntry(AccountDirectory a, SigningPublicKey authority)
      throws IOException {
    return readEntry(a.entryFile(), MailAddress.parse(a.address()), authority, a);
  }

  /** Reads a signed entry file for {@code address}. */
  public static DirectoryEntry readEntry(
      Path file, MailAddress address, SigningPublicKey authority, AccountDirectory forHint)
      throws IOException {
    if (!Files.exists(file)) {
      throw new IOException(
          "no signed entry for "
              + address
              + " ("
              + file
              + "): have the ring's operator run 'epost ring sign "
              + (forHint == null ? "REQUEST" : forHint.requestFile().toString())
              + "', then 'epost enrol "
              + address
              + " --entry FILE'");
    }
    byte[] bytes = DataDirectory.readBounded(file, MAX_ENTRY_BYTES);
    try {
      PastObject o =
          PastObject.unverified(ObjectKind.MUTABLE, DirectoryEntry.id(authority, address), bytes, 0)
              .verify();
      return DirectoryEntry.decode(o, authority, address);
    } catch (CryptoException | RuntimeException e) {
      throw new IOException(
          file + " is not this ring's directory entry for " + address + ": " + e.getMessage(), e);
    }
  }

  /**
   * Installs a signed entry from the ring's operator into account {@code a} after checking that it
   * certifies this account's keys.
   */
  public static DirectoryEntry installEntry(
      DataDirectory d, AccountDirectory a, Path file, char[] passphrase) throws IOException {
    DirectoryEntry e =
        readEntry(file, MailAddress.parse(a.address()), RingFiles.authorityPublicKey(d), a);
    UserIdentity id = unlock(a, passphrase);
    if (!e.certificate().signingKey().equals(id.signing().publicKey())
        || !e.certificate().encryptionKey().equals(id.encryption().publicKey())) {
      throw new IOException(
          file + " certifies other keys than " + a.address() + "'s in " + d + "; nothing changed");
    }
    writeEntry(a.entryFile(), e);
    return e;
  }

  /** Unwraps the account's key file. */
  public static UserIdentity unlock(AccountDirectory a, char[] passphrase) throws IOException {
    try {
      return KeyFiles.readUser(a.keyFile(), passphrase);
    } catch (CryptoException e) {
      throw new IOException(
          "cannot open "
              + a.keyFile()
              + ": "
              + e.getMessage()
              + " (is it the passphrase the account was enrolled with?)",
          e);
    }
  }

  /** The account's proxy password (made at enrolment; made now if lost). */
  public static String proxyPassword(AccountDirectory a, SecureRandom random) throws IOException {
    if (!Files.exists(a.passwordFile())) {
      DataDirectory.writeAtomically(
          a.passwordFile(), (newPassword(random) + "\n").getBytes(StandardCharsets.US_ASCII), true);
    }
    return new String(DataDirectory.readBounded(a.passwordFile(), 256), StandardCharsets.US_ASCII)
        .trim();
  }

  /** The account's device name. */
  static String device(AccountDirectory a) throws IOException {
    return new String(DataDirectory.readBounded(a.deviceFile(), 64), StandardCharsets.US_ASCII)
        .trim();
  }

  /** 20 characters from an unambiguous alphabet: about 115 bits. */
  static String newPassword(SecureRandom random) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      sb.append(PASSWORD_ALPHABET[random.nextInt(PASSWORD_ALPHABET.length)]);
    }
    return sb.toString();
  }
}
