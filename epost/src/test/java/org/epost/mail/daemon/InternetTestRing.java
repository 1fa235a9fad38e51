package org.epost.mail.daemon;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.post.directory.DirectoryAuthority;

/**
 * A ring of {@code epost run} processes on loopback for the Internet mail tests (a smarthost and a
 * gateway beside the ring): the operator's data directory (the ring authority, the invitation for
 * the domain {@code ring.test}, a node that serves no account) and members made with {@link
 * #member}, each with its own data directory, free ports, its accounts enrolled and signed, and any
 * further configuration keys. Every key file has the one passphrase in {@link #passphraseFile};
 * scrypt is cheap (tests only).
 *
 * <pre>
 * try (InternetTestRing ring = new InternetTestRing(tmp)) {
 *   InternetTestRing.Member bob = ring.member("bob", List.of("bob@ring.test"), Map.of());
 *   ring.start(ring.operator());
 *   ring.start(bob);
 *   ... bob.imapPort(), bob.password("bob@ring.test") ...
 * }
 * </pre>
 */
final class InternetTestRing implements AutoCloseable {
  /** The ring's mail domain. */
  static final String DOMAIN = "ring.test";

  private static final char[] PASSPHRASE = "e2e".toCharArray();
  private static final ScryptParameters FAST = new ScryptParameters(10, 8, 1);

  private final Path dir;
  private final Path passphraseFile;
  private final SecureRandom random = new SecureRandom();
  private final DirectoryAuthority authority;
  private final RingFiles.Invitation invitation;
  private final Member operator;
  private final List<DaemonProcess> processes = new ArrayList<>();

  /**
   * One member's data directory.
   *
   * @param name the process's name (its stderr goes to {@code NAME.err} beside the directory)
   * @param data the data directory
   * @param imapPort where its IMAP proxy listens
   * @param smtpPort where its SMTP submission listens
   * @param passwords each account's proxy password
   */
  record Member(String name, Path data, int imapPort, int smtpPort, Map<String, String> passwords) {
    /** The proxy password of {@code address}. */
    String password(String address) {
      String p = passwords.get(address);
      if (p == null) {
        throw new IllegalArgumentException(name + " has no account " + address);
      }
      return p;
    }
  }

  /** Makes the operator's directory under {@code dir} (nothing is started). */
  InternetTestRing(Path dir) throws IOException {
    this.dir = dir;
    this.passphraseFile = dir.resolve("passphrase");
    Files.writeString(passphraseFile, new String(PASSPHRASE) + "\n");
    Path op = dir.resolve("operator");
    DataDirectory d = DataDirectory.open(op);
    int opPort = freePort();
    writeConfig(d, opPort, freePort(), freePort(), Map.of());
    var key = RingFiles.initAuthority(d, PASSPHRASE, random, FAST);
    authority = RingFiles.openAuthority(d, PASSPHRASE, random);
    invitation =
        new RingFiles.Invitation(
            key, List.of(DaemonConfig.hostPort("127.0.0.1:" + opPort)), List.of(DOMAIN));
    RingFiles.writeInvitation(d, invitation);
    operator = new Member("operator", op, 0, 0, Map.of());
  }

  /** The operator's node (serves no account; the ring's first bootstrap). */
  Member operator() {
    return operator;
  }

  /** The file with the key files' passphrase. */
  Path passphraseFile() {
    return passphraseFile;
  }

  /**
   * A member of the ring with {@code addresses} enrolled and signed, and {@code config} on top of
   * its listen addresses (free loopback ports).
   */
  Member member(String name, List<String> addresses, Map<DaemonConfig.Key, String> config)
      throws IOException {
    Path p = dir.resolve(name);
    DataDirectory d = DataDirectory.open(p);
    RingFiles.writeInvitation(d, invitation);
    int imap = freePort();
    int smtp = freePort();
    writeConfig(d, freePort(), imap, smtp, config);
    Map<String, String> passwords = new LinkedHashMap<>();
    for (String address : addresses) {
      Enrolments.Result r = Enrolments.enrol(d, address, PASSPHRASE, null, random, FAST);
      Enrolments.writeEntry(
          r.account().entryFile(),
          Enrolments.sign(authority, Files.readAllBytes(r.account().requestFile())));
      passwords.put(address, Enrolments.proxyPassword(d.account(address), random));
    }
    return new Member(name, p, imap, smtp, Map.copyOf(passwords));
  }

  /** Starts {@code epost run} on the member's directory and waits until it serves. */
  DaemonProcess start(Member m) throws Exception {
    return start(m, "run");
  }

  /** Starts {@code epost COMMAND ARGS} on the member's directory and waits until it serves. */
  DaemonProcess start(Member m, String command, String... args) throws Exception {
    DaemonProcess p = DaemonProcess.start(m.name(), m.data(), passphraseFile, command, args);
    processes.add(p);
    p.await("epost running", 90);
    return p;
  }

  /** The member's stderr so far (for failure messages). */
  String errors(Member m) {
    try {
      return Files.readString(m.data().resolveSibling(m.name() + ".err"));
    } catch (IOException e) {
      return "(no stderr: " + e.getMessage() + ")";
    }
  }

  private static void writeConfig(
      DataDirectory d, int node, int imap, int smtp, Map<DaemonConfig.Key, String> extra)
      throws IOException {
    Map<DaemonConfig.Key, String> m = new LinkedHashMap<>();
    m.put(DaemonConfig.Key.NODE_LISTEN, "127.0.0.1:" + node);
    m.put(DaemonConfig.Key.IMAP_LISTEN, "127.0.0.1:" + imap);
    m.put(DaemonConfig.Key.SMTP_LISTEN, "127.0.0.1:" + smtp);
    m.put(DaemonConfig.Key.NODE_QUOTA, "256m");
    m.put(DaemonConfig.Key.NODE_READY_TIMEOUT, "60");
    m.putAll(extra);
    Files.writeString(d.configFile(), DaemonConfig.sample(m), StandardCharsets.UTF_8);
  }

  /** A loopback port free now. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Stops every process started here (SIGKILL: the tests' data is thrown away). */
  @Override
  public void close() throws InterruptedException {
    for (DaemonProcess p : processes) {
      p.close();
    }
  }
}
