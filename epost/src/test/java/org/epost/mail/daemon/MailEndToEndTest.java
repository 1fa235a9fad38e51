package org.epost.mail.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.util.concurrent.TimeUnit;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.post.directory.DirectoryAuthority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail between ring users with real mail clients across daemon processes (issue 15): four {@code
 * epost run} JVMs on loopback (the ring operator's node, a storer, alice's and bob's), alice
 * submitting with swaks at her node's SMTP proxy, bob reading with python3 imaplib at his node's
 * IMAP proxy.
 *
 * <p>AWAITING INTEGRATION: these need the mailbox and submission packages behind the daemon's
 * {@link MailParts} seam; until {@link InstalledMailParts#get} returns them every test here is
 * skipped with that reason (the daemon, the CLI and the processes are exercised by {@link
 * DaemonLifecycleTest} and the CLI tests meanwhile).
 */
class MailEndToEndTest {
  @TempDir Path tmp;
  private final List<DaemonProcess> processes = new ArrayList<>();
  private Path passphrase;
  private Path operator;
  private Path storer;
  private Path alice;
  private Path bob;
  private String alicePassword;
  private String bobPassword;
  private int aliceSmtp;
  private int bobImap;

  @BeforeEach
  void ring() throws Exception {
    assumeTrue(
        InstalledMailParts.get().isPresent(),
        "awaiting integration: " + InstalledMailParts.MISSING);
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/swaks")), "swaks is not installed");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
    passphrase = tmp.resolve("passphrase");
    Files.writeString(passphrase, "e2e\n");
    char[] pass = "e2e".toCharArray();
    SecureRandom random = new SecureRandom();
    ScryptParameters fast = new ScryptParameters(10, 8, 1);
    operator = tmp.resolve("operator");
    DataDirectory op = DataDirectory.open(operator);
    int opPort = freePort();
    writeConfig(op, opPort, 0, 0, null);
    var key = RingFiles.initAuthority(op, pass, random, fast);
    DirectoryAuthority authority = RingFiles.openAuthority(op, pass, random);
    RingFiles.Invitation inv =
        new RingFiles.Invitation(
            key, List.of(DaemonConfig.hostPort("127.0.0.1:" + opPort)), List.of("ring.test"));
    RingFiles.writeInvitation(op, inv);
    storer = member("storer", inv, null, authority, pass, random, fast);
    aliceSmtp = freePort();
    alice = member("alice", inv, "alice@ring.test", authority, pass, random, fast);
    bobImap = freePort();
    bob = member("bob", inv, "bob@ring.test", authority, pass, random, fast);
    alicePassword =
        Enrolments.proxyPassword(DataDirectory.open(alice).account("alice@ring.test"), random);
    bobPassword =
        Enrolments.proxyPassword(DataDirectory.open(bob).account("bob@ring.test"), random);
    start("operator", operator);
    start("storer", storer);
    start("alice", alice);
    start("bob", bob);
  }

  private Path member(
      String name,
      RingFiles.Invitation inv,
      String address,
      DirectoryAuthority authority,
      char[] pass,
      SecureRandom random,
      ScryptParameters scrypt)
      throws Exception {
    Path p = tmp.resolve(name);
    DataDirectory d = DataDirectory.open(p);
    RingFiles.writeInvitation(d, inv);
    int imap = name.equals("bob") ? bobImap : freePort();
    int smtp = name.equals("alice") ? aliceSmtp : freePort();
    writeConfig(d, freePort(), imap, smtp, inv);
    if (address != null) {
      Enrolments.Result r = Enrolments.enrol(d, address, pass, null, random, scrypt);
      Enrolments.writeEntry(
          r.account().entryFile(),
          Enrolments.sign(authority, Files.readAllBytes(r.account().requestFile())));
    }
    return p;
  }

  private static void writeConfig(DataDirectory d, int node, int imap, int smtp, Object inv)
      throws IOException {
    Map<DaemonConfig.Key, String> m = new LinkedHashMap<>();
    m.put(DaemonConfig.Key.NODE_LISTEN, "127.0.0.1:" + node);
    m.put(DaemonConfig.Key.IMAP_LISTEN, "127.0.0.1:" + imap);
    m.put(DaemonConfig.Key.SMTP_LISTEN, "127.0.0.1:" + smtp);
    m.put(DaemonConfig.Key.NODE_QUOTA, "256m");
    m.put(DaemonConfig.Key.NODE_READY_TIMEOUT, "60");
    Files.writeString(d.configFile(), DaemonConfig.sample(m), StandardCharsets.UTF_8);
  }

  private DaemonProcess start(String name, Path data) throws Exception {
    DaemonProcess p = DaemonProcess.start(name, data, passphrase);
    processes.add(p);
    p.await("epost running", 90);
    return p;
  }

  private DaemonProcess process(String name) {
    for (int i = processes.size() - 1; i >= 0; i--) {
      if (processes.get(i).name.equals(name)) {
        return processes.get(i);
      }
    }
    throw new IllegalArgumentException(name);
  }

  @AfterEach
  void stop() throws Exception {
    for (DaemonProcess p : processes) {
      p.close();
    }
  }

  @Test
  void aliceSubmitsWithSwaksAndBobReadsWithImaplib() throws Exception {
    String subject = "e2e-" + System.nanoTime();
    assertEquals(0, swaks(subject), "swaks got 250");
    Result r = imap("wait", subject, 60);
    assertEquals(0, r.code, r.out);
    assertTrue(r.out.startsWith("found "), r.out);
  }

  @Test
  void bobsIdleClientSeesTheNewMessage() throws Exception {
    String subject = "idle-" + System.nanoTime();
    Process idle = imapProcess("idle", subject, 60);
    var out = new java.io.BufferedReader(new java.io.InputStreamReader(idle.getInputStream()));
    assertEquals("idling", out.readLine());
    assertEquals(0, swaks(subject));
    assertTrue(idle.waitFor(60, TimeUnit.SECONDS), "IDLE saw an EXISTS within 60 s");
    String rest = new String(idle.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, idle.exitValue(), rest);
    assertTrue(rest.contains("found "), rest);
  }

  @Test
  void bobsNodeDownDuringTheSendGetsTheMessageWhenBack() throws Exception {
    assertEquals(143, process("bob").stop(), "bob's daemon stops cleanly on SIGTERM");
    String subject = "offline-" + System.nanoTime();
    assertEquals(0, swaks(subject), "the ring takes the message while bob is away");
    start("bob", bob);
    Result r = imap("wait", subject, 90);
    assertEquals(0, r.code, r.out);
  }

  @Test
  void sigkillOfAlicesNodeRightAfter250LosesNothing() throws Exception {
    String subject = "kill-" + System.nanoTime();
    assertEquals(0, swaks(subject));
    process("alice").kill(); // SIGKILL right after the 250
    Result r = imap("wait", subject, 30);
    if (r.code != 0) {
      // acknowledged into alice's local outbox: it drains when her node is back
      start("alice", alice);
      r = imap("wait", subject, 90);
    }
    assertEquals(0, r.code, "the acknowledged message reached bob: " + r.out);
  }

  // ---- the clients ----

  private int swaks(String subject) throws Exception {
    Process p =
        new ProcessBuilder(
                "/usr/bin/swaks",
                "--server",
                "127.0.0.1:" + aliceSmtp,
                "--auth",
                "PLAIN",
                "--auth-user",
                "alice@ring.test",
                "--auth-password",
                alicePassword,
                "--from",
                "alice@ring.test",
                "--to",
                "bob@ring.test",
                "--header",
                "Subject: " + subject,
                "--body",
                "hello bob, from alice's node",
                "--timeout",
                "60")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(90, TimeUnit.SECONDS));
    if (p.exitValue() != 0) {
      System.out.println(out);
    }
    return p.exitValue();
  }

  record Result(int code, String out) {}

  private Process imapProcess(String mode, String subject, int timeout) throws IOException {
    Path script = tmp.resolve("imap_client.py");
    if (!Files.exists(script)) {
      try (var in = getClass().getResourceAsStream("/e2e/imap_client.py")) {
        Files.write(script, in.readAllBytes());
      }
    }
    return new ProcessBuilder(
            "/usr/bin/python3",
            script.toString(),
            mode,
            "127.0.0.1",
            String.valueOf(bobImap),
            "bob@ring.test",
            bobPassword,
            subject,
            String.valueOf(timeout))
        .redirectErrorStream(true)
        .start();
  }

  private Result imap(String mode, String subject, int timeout) throws Exception {
    Process p = imapProcess(mode, subject, timeout);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(timeout + 30L, TimeUnit.SECONDS);
    return new Result(p.exitValue(), out.trim());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
