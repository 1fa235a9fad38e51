package org.epost.mail.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.api.MailAccount;
import org.epost.mail.api.StoredMail;
import org.epost.post.directory.DirectoryAuthority;

/**
 * {@code epost demo}: a ring of real daemons in one JVM on loopback (ADR 0123). Node 0 holds the
 * ring's authority and no account; the users are enrolled on nodes 1, 2, 3... each with its own
 * IMAP and SMTP port pair and proxy password; every user finds a welcome message in the INBOX.
 * Optionally the last user's node also runs the ring's Internet gateway (ADR 0128), so that mail
 * can come in as from the Internet (swaks at its port). All of it lives in one temporary directory,
 * removed by {@link #close}.
 *
 * <p>Each node is a full {@link Daemon} on its own data directory, made with the same files and
 * steps as {@code epost ring init}, {@code epost enrol} and {@code epost run}; only the passphrase
 * ({@value #PASSPHRASE}) and the ports are the demo's.
 */
public final class DemoRing implements AutoCloseable {
  /** The demo's key-file passphrase. */
  public static final String PASSPHRASE = "demo";

  /** The demo ring's mail domain. */
  public static final String DOMAIN = "epost.demo";

  /**
   * The demo gateway's account (its INBOX gets the reports for Internet mail it could not file).
   */
  public static final String GATEWAY = "gateway@" + DOMAIN;

  /** One demo user and what to type into a mail client. */
  public record User(
      String address, String password, InetSocketAddress imap, InetSocketAddress smtp) {}

  private final Path root;
  private final List<Daemon> daemons = Collections.synchronizedList(new ArrayList<>());
  private final List<User> users = new ArrayList<>();
  private boolean mailIntegrated;

  private DemoRing(Path root) {
    this.root = root;
  }

  /**
   * Starts {@code nodes} daemons (at least {@code names.size() + 1}) in a new temporary directory
   * under {@code parent}, users {@code names[i]@}{@value #DOMAIN} on node {@code i + 1}, IMAP on
   * {@code imapBase + i} and SMTP on {@code smtpBase + i} when free (else any free port; a base of
   * 0: any free port for every user).
   */
  public static DemoRing start(
      Path parent, int nodes, List<String> names, int imapBase, int smtpBase, PrintStream progress)
      throws IOException, InterruptedException {
    return start(parent, nodes, names, imapBase, smtpBase, -1, progress);
  }

  /**
   * As {@link #start(Path, int, List, int, int, PrintStream)}, with an Internet gateway (ADR 0128)
   * on the last user's node on {@code 127.0.0.1:gatewayPort} when free (else any free port),
   * storing as {@value #GATEWAY} and trusted as a gateway by every node; {@code gatewayPort < 0}:
   * no gateway.
   */
  public static DemoRing start(
      Path parent,
      int nodes,
      List<String> names,
      int imapBase,
      int smtpBase,
      int gatewayPort,
      PrintStream progress)
      throws IOException, InterruptedException {
    if (nodes < names.size() + 1 || nodes > 16) {
      throw new IllegalArgumentException(
          "a demo ring has between " + (names.size() + 1) + " and 16 nodes");
    }
    DemoRing ring = new DemoRing(Files.createTempDirectory(parent, "epost-demo-"));
    try {
      ring.build(nodes, names, imapBase, smtpBase, gatewayPort, progress);
    } catch (IOException | InterruptedException | RuntimeException e) {
      ring.close();
      throw e;
    }
    return ring;
  }

  private void build(
      int nodes,
      List<String> names,
      int imapBase,
      int smtpBase,
      int gatewayPort,
      PrintStream progress)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    SecureRandom random = new SecureRandom();
    char[] pass = PASSPHRASE.toCharArray();
    // light scrypt: the demo's keys are thrown away with its directory
    ScryptParameters scrypt = new ScryptParameters(12, 8, 1);
    List<DataDirectory> dirs = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      dirs.add(DataDirectory.open(root.resolve("node" + i)));
    }
    SigningPublicKey authorityKey = RingFiles.initAuthority(dirs.get(0), pass, random, scrypt);
    DirectoryAuthority authority = RingFiles.openAuthority(dirs.get(0), pass, random);
    RingFiles.Invitation invitation =
        new RingFiles.Invitation(authorityKey, List.of(), List.of(DOMAIN));
    RingFiles.writeInvitation(dirs.get(0), invitation);
    for (int i = 1; i < nodes; i++) {
      RingFiles.writeInvitation(dirs.get(i), invitation);
    }
    for (int u = 0; u < names.size(); u++) {
      DataDirectory d = dirs.get(u + 1);
      Enrolments.Result r =
          Enrolments.enrol(d, names.get(u) + "@" + DOMAIN, pass, null, random, scrypt);
      Enrolments.writeEntry(
          r.account().entryFile(),
          Enrolments.sign(authority, Files.readAllBytes(r.account().requestFile())));
    }
    // the gateway account lives beside the last user (a node of its own would cost a start)
    int gatewayNode = gatewayPort >= 0 && !names.isEmpty() ? names.size() : -1;
    if (gatewayNode > 0) {
      Enrolments.Result r =
          Enrolments.enrol(dirs.get(gatewayNode), GATEWAY, pass, null, random, scrypt);
      Enrolments.writeEntry(
          r.account().entryFile(),
          Enrolments.sign(authority, Files.readAllBytes(r.account().requestFile())));
    }
    DaemonConfig base =
        DaemonConfig.defaults()
            .with(DaemonConfig.Key.NODE_LISTEN, "127.0.0.1:0")
            .with(DaemonConfig.Key.NODE_QUOTA, "256m")
            .with(DaemonConfig.Key.NODE_READY_TIMEOUT, "60")
            .with(DaemonConfig.Key.SHUTDOWN_GRACE, "5")
            .with(DaemonConfig.Key.STATUS_LISTEN, "127.0.0.1:0");
    if (gatewayNode > 0) {
      base = base.with(DaemonConfig.Key.GATEWAY_ACCOUNTS, GATEWAY);
    }
    Daemon first = Daemon.start(dirs.get(0), base, pass);
    daemons.add(first);
    progress.printf(
        "node 0 (ring authority, no account) at %s%n", first.node().address().toString());
    String boot = first.node().address().toString();
    List<CompletableFuture<Daemon>> starting = new ArrayList<>();
    for (int i = 1; i < nodes; i++) {
      int u = i - 1;
      DaemonConfig c = base.with(DaemonConfig.Key.NODE_BOOTSTRAP, boot);
      if (u < names.size()) {
        c =
            c.with(DaemonConfig.Key.IMAP_LISTEN, "127.0.0.1:" + freeOrAny(imapBase, u))
                .with(DaemonConfig.Key.SMTP_LISTEN, "127.0.0.1:" + freeOrAny(smtpBase, u));
      }
      if (i == gatewayNode) {
        c =
            c.with(DaemonConfig.Key.GATEWAY_LISTEN, "127.0.0.1:" + freeOrAny(gatewayPort, 0))
                .with(DaemonConfig.Key.GATEWAY_ACCOUNT, GATEWAY);
      }
      DaemonConfig config = c;
      DataDirectory d = dirs.get(i);
      starting.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  Daemon dm = Daemon.start(d, config, pass);
                  daemons.add(dm);
                  return dm;
                } catch (IOException e) {
                  throw new CompletionException(e);
                }
              }));
    }
    List<Daemon> started = new ArrayList<>();
    for (CompletableFuture<Daemon> f : starting) {
      try {
        started.add(f.join());
      } catch (CompletionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw e;
      }
    }
    progress.printf("%d nodes joined the ring in %.1f s%n", nodes, (System.nanoTime() - t0) / 1e9);
    mailIntegrated = InstalledMailParts.get().isPresent();
    for (int u = 0; u < names.size(); u++) {
      Daemon dm = started.get(u);
      String address = names.get(u) + "@" + DOMAIN;
      AccountDirectory a = dm.dataDirectory().account(address);
      String password = Enrolments.proxyPassword(a, random);
      Optional<MailAccount> acct = dm.account(address);
      if (acct.isPresent()) {
        welcome(acct.get(), address, names);
      }
      users.add(
          new User(
              address, password, dm.imapAddress().orElse(null), dm.smtpAddress().orElse(null)));
    }
  }

  private static void welcome(MailAccount account, String address, List<String> names)
      throws IOException {
    StringBuilder others = new StringBuilder();
    for (String n : names) {
      String o = n + "@" + DOMAIN;
      if (!o.equals(address)) {
        others.append(others.length() == 0 ? "" : " and ").append(o);
      }
    }
    String msg =
        "From: ePOST demo <postmaster@"
            + DOMAIN
            + ">\r\n"
            + "To: <"
            + address
            + ">\r\n"
            + "Subject: Welcome to ePOST\r\n"
            + "Date: "
            + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now())
            + "\r\n"
            + "Message-ID: <welcome."
            + System.nanoTime()
            + "@"
            + DOMAIN
            + ">\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "\r\n"
            + "Hello "
            + address
            + ",\r\n\r\n"
            + "this message is stored on a ring of peer-to-peer nodes running on this machine,\r\n"
            + "encrypted end to end. Write to "
            + others
            + ": the mail goes from\r\n"
            + "your node's SMTP proxy through the ring to theirs.\r\n";
    try (var in = new java.io.ByteArrayInputStream(msg.getBytes(StandardCharsets.UTF_8))) {
      StoredMail stored = account.store(in).toCompletableFuture().get(30, TimeUnit.SECONDS);
      account
          .file("INBOX", stored, new byte[0], Set.of())
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("the welcome message for " + address + " was not filed: " + e, e);
    }
  }

  /** Port {@code base + offset} if free, else 0 (any free port); base 0 always means any. */
  private static int freeOrAny(int base, int offset) {
    if (base == 0) {
      return 0;
    }
    int port = base + offset;
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return port;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The users, in the order given, with their settings. */
  public List<User> users() {
    return List.copyOf(users);
  }

  /** The running daemons, node 0 first. */
  public List<Daemon> daemons() {
    return List.copyOf(daemons);
  }

  /** Where the demo's Internet gateway listens, if it runs. */
  public Optional<InetSocketAddress> gateway() {
    synchronized (daemons) {
      for (Daemon d : daemons) {
        if (d.gatewayAddress().isPresent()) {
          return d.gatewayAddress();
        }
      }
    }
    return Optional.empty();
  }

  /** Whether the mail parts are in this build (else no account is served). */
  public boolean mailIntegrated() {
    return mailIntegrated;
  }

  /** The demo's temporary directory. */
  public Path root() {
    return root;
  }

  /** Stops every daemon (reverse order) and deletes the temporary directory. */
  @Override
  public void close() {
    List<Daemon> list = new ArrayList<>(daemons);
    Collections.reverse(list);
    list.parallelStream().forEach(Daemon::close);
    daemons.clear();
    try {
      deleteTree(root);
    } catch (IOException e) {
      System.err.println("could not remove " + root + ": " + e.getMessage());
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            Files.delete(f);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
