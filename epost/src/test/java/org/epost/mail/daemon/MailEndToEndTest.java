package org.epost.mail.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Mail between ring users with real mail clients across daemon processes (issue 15, deliverable 5):
 * one ring of {@code epost run} JVMs on loopback shared by every test here (the operator's node,
 * three storers, alice's and bob's nodes: six, with PAST's k = 5), alice submitting with swaks and
 * msmtp at her node's SMTP proxy, bob reading with python3 imaplib, mbsync and neomutt at his
 * node's IMAP proxy.
 *
 * <p>A test that stops or kills a node leaves it down; the next test starts whatever is not running
 * first. The ring's files are under {@code target/e2e/}, kept when a test fails (each daemon's
 * standard error in {@code NAME.err}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MailEndToEndTest {
  private ProcessRing ring;
  private MailClients clients;
  private boolean failed;

  @RegisterExtension
  final TestWatcher watcher =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          failed = true;
        }
      };

  @BeforeAll
  void ring() throws Exception {
    String missing = MailClients.missing();
    assumeTrue(missing == null, missing);
    Path root = Path.of("target", "e2e", "mail-" + System.currentTimeMillis()).toAbsolutePath();
    ring = ProcessRing.create(root, "ring.test");
    for (int i = 1; i <= 3; i++) {
      ring.member("storer" + i, false);
    }
    ring.member("alice", true);
    ring.member("bob", true);
    clients = new MailClients(root.resolve("clients"));
    ring.startAll();
  }

  @BeforeEach
  void everyNodeRuns() throws Exception {
    ring.startAll();
  }

  @AfterAll
  void stop() throws Exception {
    if (ring != null) {
      ring.keepFiles = failed;
      ring.close();
    }
  }

  private ProcessRing.Member alice() {
    return ring.get("alice");
  }

  private ProcessRing.Member bob() {
    return ring.get("bob");
  }

  private MailClients.Result swaks(String subject) throws Exception {
    return clients.swaks(
        alice().smtpPort,
        alice().address,
        alice().password,
        bob().address,
        subject,
        "hello bob, from alice's node");
  }

  private MailClients.Result bobWaits(String subject, int seconds) throws Exception {
    return clients.imap(
        bob().imapPort,
        bob().address,
        bob().password,
        seconds + 30,
        "wait",
        subject,
        String.valueOf(seconds));
  }

  @Test
  @Order(1)
  void aliceSubmitsWithSwaksAndBobReadsWithImaplib() throws Exception {
    String subject = "e2e-" + System.nanoTime();
    MailClients.Result s = swaks(subject);
    assertEquals(0, s.code(), s.out());
    MailClients.Result r = bobWaits(subject, 60);
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().startsWith("found "), r.out());
  }

  /** First, on bob's empty INBOX: the first message of an empty folder was once missed. */
  @Test
  @Order(0)
  void bobsIdleClientSeesTheNewMessage() throws Exception {
    String subject = "idle-" + System.nanoTime();
    Process idle =
        clients.imapProcess(bob().imapPort, bob().address, bob().password, "idle", subject, "60");
    var out = new BufferedReader(new InputStreamReader(idle.getInputStream()));
    assertEquals("idling", out.readLine());
    MailClients.Result s = swaks(subject);
    assertEquals(0, s.code(), s.out());
    assertTrue(idle.waitFor(70, TimeUnit.SECONDS), "IDLE saw an EXISTS within 60 s");
    String rest = new String(idle.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (idle.exitValue() != 0) {
      rest += " / bob's INBOX afterwards: " + bobWaits(subject, 5).out();
    }
    assertEquals(0, idle.exitValue(), rest);
    assertTrue(rest.contains("found "), rest);
  }

  @Test
  @Order(20)
  void bobsNodeDownDuringTheSendGetsTheMessageWhenBack() throws Exception {
    assertEquals(143, ring.stop("bob"), "bob's daemon stops cleanly on SIGTERM");
    String subject = "offline-" + System.nanoTime();
    MailClients.Result s = swaks(subject);
    assertEquals(0, s.code(), "the ring takes the message while bob is away: " + s.out());
    ring.start("bob");
    MailClients.Result r = bobWaits(subject, 90);
    assertEquals(0, r.code(), r.out());
  }

  @Test
  @Order(21)
  void sigkillOfAlicesNodeRightAfter250LosesNothing() throws Exception {
    String subject = "kill-" + System.nanoTime();
    MailClients.Result s = swaks(subject);
    assertEquals(0, s.code(), s.out());
    ring.kill("alice"); // SIGKILL right after the 250
    MailClients.Result r = bobWaits(subject, 30);
    if (r.code() != 0) {
      // acknowledged into alice's local outbox: it drains when her node is back
      ring.start("alice");
      r = bobWaits(subject, 90);
    }
    assertEquals(0, r.code(), "the acknowledged message reached bob: " + r.out());
  }
}
