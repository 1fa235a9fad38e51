package org.epost.mail.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.post.directory.DirectoryAuthority;

/**
 * A ring of {@code epost run} processes on loopback, as people set one up: the operator's node
 * ({@code epost ring init}, the bootstrap of the invitation, no account), then one data directory
 * per member with the invitation, an account enrolled and signed by the ring's authority for the
 * members that have one, and free loopback ports for the node, IMAP and SMTP.
 *
 * <p>Everything lives under {@code root} (a folder under {@code target/}); each process's standard
 * error is in {@code root/NAME.err}. {@link #close} SIGKILLs what still runs and, when {@link
 * #keepFiles} is false, removes {@code root}.
 */
final class ProcessRing implements AutoCloseable {
  /** The one passphrase of every key file in the ring. */
  static final String PASSPHRASE = "e2e";

  /** One data directory of the ring, its ports, and its process when it runs. */
  static final class Member {
    final String name;
    final Path data;
    final String address;
    final int nodePort;
    final int imapPort;
    final int smtpPort;
    String password;
    DaemonProcess process;

    /** What the JVM is launched behind (empty: directly; {@code ip netns exec NS} in a testbed). */
    List<String> launcher = List.of();

    /** The JVM's options (heap, flight recorder). */
    List<String> jvmOptions = List.of("-Xmx256m");

    Member(String name, Path data, String address, int nodePort, int imapPort, int smtpPort) {
      this.name = name;
      this.data = data;
      this.address = address;
      this.nodePort = nodePort;
      this.imapPort = imapPort;
      this.smtpPort = smtpPort;
    }

    boolean running() {
      return process != null && process.process.isAlive();
    }
  }

  final Path root;
  final String domain;
  final Path passphraseFile;
  final SigningPublicKey authorityKey;
  final RingFiles.Invitation invitation;
  private final DirectoryAuthority authority;
  private final Map<String, Member> members = new LinkedHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private static final ScryptParameters FAST = new ScryptParameters(10, 8, 1);
  boolean keepFiles;

  private ProcessRing(
      Path root,
      String domain,
      Path passphraseFile,
      SigningPublicKey authorityKey,
      DirectoryAuthority authority,
      RingFiles.Invitation invitation) {
    this.root = root;
    this.domain = domain;
    this.passphraseFile = passphraseFile;
    this.authorityKey = authorityKey;
    this.authority = authority;
    this.invitation = invitation;
  }

  /**
   * Makes the operator's directory (the ring's authority and invitation) under {@code root}; add
   * members with {@link #member}, start them with {@link #startAll}.
   */
  static ProcessRing create(Path root, String domain) throws IOException {
    return create(root, domain, "127.0.0.1", freePort());
  }

  /**
   * As {@link #create(Path, String)}, the operator's node listening on {@code host:port} (the
   * invitation's bootstrap), for a ring whose members are not all on loopback.
   */
  static ProcessRing create(Path root, String domain, String host, int opPort) throws IOException {
    Files.createDirectories(root);
    Path pass = root.resolve("passphrase");
    Files.writeString(pass, PASSPHRASE + "\n");
    SecureRandom random = new SecureRandom();
    Path opDir = root.resolve("operator");
    DataDirectory op = DataDirectory.open(opDir);
    writeConfig(op, host, opPort, 0, 0, Map.of());
    SigningPublicKey key = RingFiles.initAuthority(op, PASSPHRASE.toCharArray(), random, FAST);
    DirectoryAuthority authority = RingFiles.openAuthority(op, PASSPHRASE.toCharArray(), random);
    RingFiles.Invitation inv =
        new RingFiles.Invitation(
            key, List.of(DaemonConfig.hostPort(host + ":" + opPort)), List.of(domain));
    RingFiles.writeInvitation(op, inv);
    ProcessRing ring = new ProcessRing(root, domain, pass, key, authority, inv);
    ring.members.put("operator", new Member("operator", opDir, null, opPort, 0, 0));
    return ring;
  }

  /**
   * Adds a member named {@code name}: with an account {@code name@domain} (signed by the ring's
   * authority) when {@code account} is true, else a node that only serves the ring.
   */
  Member member(String name, boolean account) throws IOException {
    return member(name, account, Map.of());
  }

  /** As {@link #member(String, boolean)}, with extra configuration keys. */
  Member member(String name, boolean account, Map<DaemonConfig.Key, String> extra)
      throws IOException {
    return member(
        name,
        account,
        "127.0.0.1",
        freePort(),
        account ? freePort() : 0,
        account ? freePort() : 0,
        extra);
  }

  /**
   * As {@link #member(String, boolean, Map)}, the node on {@code host:node} and the proxies on
   * 127.0.0.1 at the given ports (a member in its own network namespace).
   */
  Member member(
      String name,
      boolean account,
      String host,
      int node,
      int imap,
      int smtp,
      Map<DaemonConfig.Key, String> extra)
      throws IOException {
    Path p = root.resolve(name);
    DataDirectory d = DataDirectory.open(p);
    RingFiles.writeInvitation(d, invitation);
    writeConfig(d, host, node, imap, smtp, extra);
    String address = account ? name + "@" + domain : null;
    Member m = new Member(name, p, address, node, imap, smtp);
    if (account) {
      char[] pass = PASSPHRASE.toCharArray();
      Enrolments.Result r = Enrolments.enrol(d, address, pass, null, random, FAST);
      Enrolments.writeEntry(
          r.account().entryFile(),
          Enrolments.sign(authority, Files.readAllBytes(r.account().requestFile())));
      m.password = Enrolments.proxyPassword(d.account(address), random);
    }
    members.put(name, m);
    return m;
  }

  /**
   * Adds a member outside the ring's trust: its own authority ({@code ring init} in its own
   * directory) certifies its account {@code name@domain} and is its trust anchor; its node joins
   * through the ring's bootstrap like any other. Nothing the ring's authority signed names its
   * keys.
   */
  Member rogueMember(String name) throws IOException {
    Path p = root.resolve(name);
    DataDirectory d = DataDirectory.open(p);
    char[] pass = PASSPHRASE.toCharArray();
    SigningPublicKey rogueKey = RingFiles.initAuthority(d, pass, random, FAST);
    RingFiles.writeInvitation(
        d, new RingFiles.Invitation(rogueKey, invitation.bootstraps(), invitation.domains()));
    int node = freePort();
    int imap = freePort();
    int smtp = freePort();
    writeConfig(d, node, imap, smtp, Map.of());
    String address = name + "@" + domain;
    Member m = new Member(name, p, address, node, imap, smtp);
    Enrolments.enrol(d, address, pass, pass, random, FAST); // signed by the rogue authority
    m.password = Enrolments.proxyPassword(d.account(address), random);
    members.put(name, m);
    return m;
  }

  static void writeConfig(
      DataDirectory d, int node, int imap, int smtp, Map<DaemonConfig.Key, String> extra)
      throws IOException {
    writeConfig(d, "127.0.0.1", node, imap, smtp, extra);
  }

  static void writeConfig(
      DataDirectory d,
      String host,
      int node,
      int imap,
      int smtp,
      Map<DaemonConfig.Key, String> extra)
      throws IOException {
    Map<DaemonConfig.Key, String> m = new LinkedHashMap<>();
    m.put(DaemonConfig.Key.NODE_LISTEN, host + ":" + node);
    m.put(DaemonConfig.Key.IMAP_LISTEN, "127.0.0.1:" + imap);
    m.put(DaemonConfig.Key.SMTP_LISTEN, "127.0.0.1:" + smtp);
    m.put(DaemonConfig.Key.NODE_QUOTA, "256m");
    m.put(DaemonConfig.Key.NODE_READY_TIMEOUT, "60");
    m.putAll(extra);
    Files.writeString(d.configFile(), DaemonConfig.sample(m), StandardCharsets.UTF_8);
  }

  Member get(String name) {
    Member m = members.get(name);
    if (m == null) {
      throw new IllegalArgumentException("no member " + name);
    }
    return m;
  }

  List<Member> members() {
    return List.copyOf(members.values());
  }

  /** Starts every member that is not running, the operator first, each until "epost running". */
  void startAll() throws Exception {
    for (Member m : members.values()) {
      if (!m.running()) {
        start(m.name);
      }
    }
  }

  /** Starts {@code name}'s daemon and waits until it says it is running. */
  Member start(String name) throws Exception {
    Member m = get(name);
    if (m.running()) {
      throw new IllegalStateException(name + " is already running");
    }
    m.process = DaemonProcess.start(name, m.data, passphraseFile, m.launcher, m.jvmOptions, "run");
    m.process.await("epost running", 90);
    return m;
  }

  /** SIGTERM; the exit code (143 for a clean stop). */
  int stop(String name) throws InterruptedException {
    return get(name).process.stop();
  }

  /** SIGKILL, and wait until the process is gone. */
  void kill(String name) throws InterruptedException {
    get(name).process.kill();
  }

  @Override
  public void close() throws Exception {
    List<DaemonProcess> running = new ArrayList<>();
    for (Member m : members.values()) {
      if (m.running()) {
        running.add(m.process);
      }
    }
    for (DaemonProcess p : running) {
      p.process.destroyForcibly();
    }
    for (DaemonProcess p : running) {
      p.close();
    }
    if (!keepFiles) {
      deleteTree(root);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
