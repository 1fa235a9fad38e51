package org.epost.mail.daemon;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeIdentity;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.keyfile.KeyFiles;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.post.directory.DirectoryAuthority;

/**
 * The ring's files in {@code DATA/ring/} (ADR 0121): the authority's key (on the operator's machine
 * only), its public key (every member: the directory's trust anchor), and the invitation a new
 * member starts from.
 *
 * <p>One Ed25519 key is the ring's authority: it signs the user directory's entries and user
 * certificates ({@link DirectoryAuthority}); the same key can issue node certificates for the
 * overlay's ring-authority transport mode (ADR 0089: user and node serials share one space), which
 * this daemon does not use yet: nodes take ids derived from their keys (ADR 0060).
 *
 * <p>Invitation ({@code ring/invitation}, Java properties): {@code authority} (64 hex digits),
 * {@code bootstrap} (comma-separated HOST:PORT of members), {@code domains} (comma-separated mail
 * domains of the ring).
 */
public final class RingFiles {
  static final String KEY_FILE = "authority.key";
  static final String PUBLIC_FILE = "authority.pub";
  static final String INVITATION_FILE = "invitation";
  static final int MAX_INVITATION_BYTES = 64 * 1024;

  private RingFiles() {}

  /** What a new member of the ring needs. */
  public record Invitation(
      SigningPublicKey authority, List<InetSocketAddress> bootstraps, List<String> domains) {
    public Invitation {
      bootstraps = List.copyOf(bootstraps);
      domains = List.copyOf(domains);
    }

    /** The invitation file's text. */
    public String encode() {
      StringBuilder b = new StringBuilder();
      b.append(
          "# ePOST ring invitation: give it to a new member ('epost init --invitation FILE')\n");
      b.append("authority = ").append(hex(authority)).append('\n');
      List<String> hp = new ArrayList<>();
      for (InetSocketAddress a : bootstraps) {
        hp.add(hostPort(a));
      }
      b.append("bootstrap = ").append(String.join(",", hp)).append('\n');
      b.append("domains = ").append(String.join(",", domains)).append('\n');
      return b.toString();
    }

    /** Parses an invitation file's text; {@code source} names it in errors. */
    public static Invitation decode(String text, Path source) throws IOException {
      Properties p = new Properties();
      p.load(new StringReader(text));
      String a = p.getProperty("authority");
      if (a == null) {
        throw new IOException(source + " is not an ePOST ring invitation (no 'authority' line)");
      }
      SigningPublicKey key = parseKey(a.trim(), source);
      List<InetSocketAddress> boots = new ArrayList<>();
      for (String s : p.getProperty("bootstrap", "").split(",")) {
        if (!s.isBlank()) {
          try {
            boots.add(DaemonConfig.parseHostPort(s.trim(), null));
          } catch (IllegalArgumentException e) {
            throw new IOException(source + ": bootstrap " + e.getMessage(), e);
          }
        }
      }
      List<String> domains = new ArrayList<>();
      for (String s : p.getProperty("domains", "").split(",")) {
        if (!s.isBlank()) {
          domains.add(s.trim().toLowerCase(java.util.Locale.ROOT));
        }
      }
      return new Invitation(key, boots, domains);
    }
  }

  static String hostPort(InetSocketAddress a) {
    String h = a.getAddress().getHostAddress();
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
  }

  /** Whether this data directory holds the authority's signing key. */
  public static boolean hasAuthorityKey(DataDirectory d) {
    return Files.exists(d.ringDir().resolve(KEY_FILE));
  }

  /**
   * Creates the ring's authority in {@code d}: the signing key, wrapped with {@code passphrase},
   * and its public key. Refuses a directory that holds an authority or an invitation already.
   */
  public static SigningPublicKey initAuthority(
      DataDirectory d, char[] passphrase, SecureRandom random, ScryptParameters scrypt)
      throws IOException {
    Path key = d.ringDir().resolve(KEY_FILE);
    if (Files.exists(key) || Files.exists(d.ringDir().resolve(PUBLIC_FILE))) {
      throw new IOException(
          d.ringDir() + " already belongs to a ring (" + PUBLIC_FILE + " exists); nothing changed");
    }
    SigningKeyPair pair = SigningKeyPair.generate(random);
    new KeyFiles(random, scrypt).write(key, new NodeIdentity(pair), passphrase);
    DataDirectory.writeAtomically(
        d.ringDir().resolve(PUBLIC_FILE),
        (hex(pair.publicKey()) + "\n").getBytes(StandardCharsets.US_ASCII),
        false);
    return pair.publicKey();
  }

  /** The authority in {@code d}, unwrapped with {@code passphrase}, ready to sign. */
  public static DirectoryAuthority openAuthority(
      DataDirectory d, char[] passphrase, SecureRandom random) throws IOException {
    Path key = d.ringDir().resolve(KEY_FILE);
    if (!Files.exists(key)) {
      throw new IOException(
          "no ring authority in "
              + d
              + " ("
              + key
              + " is missing): sign on the ring operator's machine with 'epost ring sign'");
    }
    try {
      return new DirectoryAuthority(KeyFiles.readNode(key, passphrase).signing(), random);
    } catch (CryptoException e) {
      throw new IOException(
          "cannot open " + key + ": " + e.getMessage() + " (wrong passphrase?)", e);
    }
  }

  /** The ring's trust anchor: {@code ring/authority.pub}. */
  public static SigningPublicKey authorityPublicKey(DataDirectory d) throws IOException {
    Path f = d.ringDir().resolve(PUBLIC_FILE);
    if (!Files.exists(f)) {
      throw new IOException(
          "this data directory belongs to no ring ("
              + f
              + " is missing): run 'epost ring init' to start one, or 'epost init --invitation"
              + " FILE' to join one");
    }
    String text = new String(DataDirectory.readBounded(f, 1024), StandardCharsets.US_ASCII).trim();
    return parseKey(text, f);
  }

  /** Writes the invitation into {@code d} (and the public key it names, if missing). */
  public static void writeInvitation(DataDirectory d, Invitation inv) throws IOException {
    Path pub = d.ringDir().resolve(PUBLIC_FILE);
    if (Files.exists(pub) && !authorityPublicKey(d).equals(inv.authority())) {
      throw new IOException(
          d
              + " belongs to another ring (authority "
              + hex(authorityPublicKey(d))
              + "); nothing changed");
    }
    if (!Files.exists(pub)) {
      DataDirectory.writeAtomically(
          pub, (hex(inv.authority()) + "\n").getBytes(StandardCharsets.US_ASCII), false);
    }
    DataDirectory.writeAtomically(
        d.ringDir().resolve(INVITATION_FILE), inv.encode().getBytes(StandardCharsets.UTF_8), false);
  }

  /** The invitation in {@code d}, if there is one. */
  public static java.util.Optional<Invitation> invitation(DataDirectory d) throws IOException {
    Path f = d.ringDir().resolve(INVITATION_FILE);
    if (!Files.exists(f)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(readInvitation(f));
  }

  /** Reads an invitation file. */
  public static Invitation readInvitation(Path f) throws IOException {
    return Invitation.decode(
        new String(DataDirectory.readBounded(f, MAX_INVITATION_BYTES), StandardCharsets.UTF_8), f);
  }

  static String hex(SigningPublicKey key) {
    return HexFormat.of().formatHex(key.toBytes());
  }

  private static SigningPublicKey parseKey(String text, Path source) throws IOException {
    try {
      return SigningPublicKey.fromBytes(HexFormat.of().parseHex(text));
    } catch (IllegalArgumentException | CryptoFormatException e) {
      throw new IOException(
          source + " does not hold a ring authority's public key (64 hex digits)", e);
    }
  }

  // ---- revocation (ADR 0109) ----

  private static final String ISSUED_FILE = "issued";
  private static final String REVOCATIONS_FILE = "revocations";

  /** A certificate the authority of this data directory signed: {@code ring/issued}. */
  public record Issued(String address, long serial, java.time.Instant notAfter) {}

  /** Records a certificate 'ring sign' issued (one line: address, serial, notAfter in seconds). */
  public static void recordIssued(DataDirectory d, org.epost.post.api.DirectoryEntry entry)
      throws IOException {
    List<Issued> all = new ArrayList<>(issued(d));
    all.add(
        new Issued(
            entry.address().value(), entry.certificate().serial(), entry.certificate().notAfter()));
    StringBuilder b = new StringBuilder();
    for (Issued i : all) {
      b.append(i.address())
          .append(' ')
          .append(i.serial())
          .append(' ')
          .append(i.notAfter().getEpochSecond())
          .append('\n');
    }
    DataDirectory.writeAtomically(
        d.ringDir().resolve(ISSUED_FILE), b.toString().getBytes(StandardCharsets.UTF_8), false);
  }

  /** Every certificate recorded in {@code ring/issued} (empty if none). */
  public static List<Issued> issued(DataDirectory d) throws IOException {
    Path f = d.ringDir().resolve(ISSUED_FILE);
    if (!Files.exists(f)) {
      return List.of();
    }
    List<Issued> out = new ArrayList<>();
    String text = new String(DataDirectory.readBounded(f, 64 << 20), StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] w = line.trim().split(" ");
      try {
        out.add(
            new Issued(
                w[0], Long.parseLong(w[1]), java.time.Instant.ofEpochSecond(Long.parseLong(w[2]))));
      } catch (RuntimeException e) {
        throw new IOException(f + ": not a line of issued certificates: " + line, e);
      }
    }
    return out;
  }

  /** The last revocation list this authority signed ({@code ring/revocations}), if any. */
  public static java.util.Optional<org.epost.post.directory.SignedRevocations> revocations(
      DataDirectory d, SigningPublicKey authority) throws IOException {
    Path f = d.ringDir().resolve(REVOCATIONS_FILE);
    if (!Files.exists(f)) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(
          org.epost.post.directory.SignedRevocations.decode(
              DataDirectory.readBounded(f, 64 << 10), authority));
    } catch (CryptoException e) {
      throw new IOException(f + " is not this ring's revocation list: " + e.getMessage(), e);
    }
  }

  /** Keeps the list just signed as {@code ring/revocations} (written atomically). */
  public static void writeRevocations(
      DataDirectory d, org.epost.post.directory.SignedRevocations list) throws IOException {
    DataDirectory.writeAtomically(
        d.ringDir().resolve(REVOCATIONS_FILE), list.object().bytes(), false);
  }
}
