package org.epost.mail.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.imap.api.UserSession;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.ReceivedNotification;
import org.epost.post.api.UserRecord;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's own part through the real path: a real node runtime, {@code PostNode}, the enrolment
 * published on the ring, the real IMAP proxy and SMTP submission on loopback. The mail parts (the
 * other packages' work) are stand-ins recording what the daemon asks of them, so this test checks
 * the daemon: start order, the account's services, proxy passwords (wrong ones refused),
 * submissions reaching the authenticated user's account, 451 once stopping, and the stop order
 * (listeners, submission, delivery, account, node).
 */
class DaemonLifecycleTest {
  @TempDir Path tmp;
  private final List<Daemon> daemons = new ArrayList<>();
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    daemons.forEach(Daemon::close);
  }

  /** Records what the daemon asks; stands in for the mailbox and submission packages. */
  final class RecordingParts implements MailParts {
    final List<Envelope> delivered = Collections.synchronizedList(new ArrayList<>());
    volatile AccountServices services;
    volatile Duration slowDeliver = Duration.ZERO;
    final java.util.concurrent.CountDownLatch delivering =
        new java.util.concurrent.CountDownLatch(2);

    @Override
    public CompletionStage<MailAccount> open(
        AccountServices s, String device, DaemonConfig config) {
      services = s;
      events.add("open " + s.identity().signing().publicKey().equals(s.certificate().signingKey()));
      MailAccount a = mock(MailAccount.class);
      when(a.address()).thenReturn(s.certificate().address());
      when(a.openSession())
          .thenAnswer(
              i -> {
                events.add("session");
                return mock(UserSession.class);
              });
      org.mockito.Mockito.doAnswer(i -> events.add("account closed")).when(a).close();
      return CompletableFuture.completedFuture(a);
    }

    @Override
    public AccountDelivery delivery(
        MailAccount account, AccountServices s, String authservId, DaemonConfig config) {
      events.add("delivery");
      return new AccountDelivery() {
        @Override
        public CompletionStage<Void> received(ReceivedNotification n) {
          events.add("received");
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
          events.add("delivery closed");
        }
      };
    }

    @Override
    public AccountSubmission submission(
        MailAccount account, AccountServices s, DaemonConfig config) {
      events.add("submission " + Files.isDirectory(s.accountDirectory()));
      return new AccountSubmission() {
        @Override
        public void stateChanged(NotificationStatus status) {}

        @Override
        public int outboxSize() {
          return 0;
        }

        @Override
        public List<String> deliveryStatus(String messageId) {
          return List.of();
        }

        @Override
        public void close(Duration grace) {
          events.add("submission closed");
        }

        @Override
        public void checkRecipient(String address) throws SubmissionException {
          if (!address.endsWith("@ring.test")) {
            throw new SubmissionException(SmtpStatus.MAILBOX_UNKNOWN, address);
          }
        }

        @Override
        public void deliver(Envelope envelope, InputStream message) throws SubmissionException {
          delivering.countDown();
          try {
            message.readAllBytes();
            Thread.sleep(slowDeliver.toMillis());
          } catch (IOException | InterruptedException e) {
            throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, e.toString());
          }
          delivered.add(envelope);
        }
      };
    }
  }

  private DataDirectory ringWithAlice() throws IOException {
    DataDirectory d = DataDirectory.open(tmp.resolve("a"));
    SecureRandom r = new SecureRandom();
    ScryptParameters fast = new ScryptParameters(10, 8, 1);
    RingFiles.initAuthority(d, "pw".toCharArray(), r, fast);
    Enrolments.Result res =
        Enrolments.enrol(d, "alice@ring.test", "pw".toCharArray(), "pw".toCharArray(), r, fast);
    assertTrue(res.signed(), "the authority in the same directory signs at once");
    return d;
  }

  private DaemonConfig loopbackConfig() {
    return DaemonConfig.defaults()
        .with(DaemonConfig.Key.NODE_LISTEN, "127.0.0.1:0")
        .with(DaemonConfig.Key.IMAP_LISTEN, "127.0.0.1:0")
        .with(DaemonConfig.Key.SMTP_LISTEN, "127.0.0.1:0")
        .with(DaemonConfig.Key.NODE_QUOTA, "64m")
        .with(DaemonConfig.Key.SHUTDOWN_GRACE, "3");
  }

  @Test
  void startsTheAccountServesItsClientsAndStopsInReverseOrder() throws Exception {
    DataDirectory d = ringWithAlice();
    RecordingParts parts = new RecordingParts();
    Daemon daemon = Daemon.start(d, loopbackConfig(), "pw".toCharArray(), Optional.of(parts));
    daemons.add(daemon);

    assertEquals(List.of("alice@ring.test"), daemon.servedAccounts());
    assertTrue(Files.exists(d.account("alice@ring.test").enrolledMarker()), "enrolment completed");
    UserRecord rec =
        daemon
            .node()
            .bridge()
            .call(() -> parts.services.directory().lookup("alice@ring.test"), Runnable::run)
            .get(30, TimeUnit.SECONDS);
    assertEquals("alice@ring.test", rec.certificate().address(), "the entry is on the ring");
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(d.account("alice@ring.test").passwordFile())));
    assertEquals(List.of("open true", "delivery", "submission true"), events.subList(0, 3));

    String password = Enrolments.proxyPassword(d.account("alice@ring.test"), new SecureRandom());
    int imapPort = daemon.imapAddress().orElseThrow().getPort();
    assertTrue(imapLogin(imapPort, "alice@ring.test", "wrong").contains("NO"));
    assertTrue(imapLogin(imapPort, "mallory@ring.test", password).contains("NO"));
    assertTrue(imapLogin(imapPort, "alice@ring.test", password).startsWith("a1 OK"));
    assertTrue(events.contains("session"), "a login opens the account's session");

    int smtpPort = daemon.smtpAddress().orElseThrow().getPort();
    assertEquals("250", submit(smtpPort, "alice@ring.test", password, "bob@ring.test"));
    assertEquals(1, parts.delivered.size());
    assertEquals(Optional.of("alice@ring.test"), parts.delivered.get(0).authenticatedUser());
    assertEquals("535", submit(smtpPort, "alice@ring.test", "wrong", "bob@ring.test"));

    List<String> status = daemon.status().lines();
    assertTrue(status.get(0).startsWith("epost phase=running mail=integrated"), status.get(0));
    assertTrue(
        status.contains("epost account alice@ring.test outbox=0 state=open"), status.toString());
    List<String> control = org.epost.overlay.node.NodeControl.call(d.nodeDir(), "STATUS", 10_000);
    assertTrue(control.get(0).startsWith("node "), control.get(0));
    assertTrue(control.containsAll(status.subList(1, status.size())), control.toString());

    // a submission in flight when the stop begins finishes; the account closes after it
    parts.slowDeliver = Duration.ofMillis(1_500);
    CompletableFuture<String> inFlight =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return submit(smtpPort, "alice@ring.test", password, "carol@ring.test");
              } catch (IOException e) {
                return e.toString();
              }
            });
    assertTrue(parts.delivering.await(10, TimeUnit.SECONDS), "the second submission is in DATA");
    assertEquals(1, parts.delivered.size(), "and still running when the stop begins");
    events.clear();
    daemon.close();
    assertEquals("250", inFlight.get(10, TimeUnit.SECONDS), "acknowledged before the stop ended");
    assertEquals(2, parts.delivered.size());
    assertEquals(List.of("submission closed", "delivery closed", "account closed"), events);
    assertFalse(Files.exists(d.nodeDir().resolve("control")) && controlAnswers(d));
  }

  @Test
  void withoutMailPartsTheNodeRunsAndNoAccountIsAttached() throws Exception {
    DataDirectory d = ringWithAlice();
    Daemon daemon = Daemon.start(d, loopbackConfig(), "pw".toCharArray(), Optional.empty());
    daemons.add(daemon);
    assertEquals(List.of(), daemon.servedAccounts());
    assertEquals(Optional.empty(), daemon.imapAddress());
    assertEquals(InstalledMailParts.MISSING, daemon.notServed().get("alice@ring.test"));
    assertTrue(daemon.status().lines().get(0).contains("mail=missing"));
  }

  @Test
  void aWrongPassphraseStopsTheStartBeforeTheNode() throws Exception {
    DataDirectory d = ringWithAlice();
    IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IOException.class,
            () -> Daemon.start(d, loopbackConfig(), "nope".toCharArray(), Optional.empty()));
    assertTrue(e.getMessage().contains("user.key"), e.getMessage());
    assertFalse(Files.exists(d.nodeDir().resolve("node.key")), "the node never started");
  }

  private static boolean controlAnswers(DataDirectory d) {
    try {
      org.epost.overlay.node.NodeControl.call(d.nodeDir(), "STATUS", 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String imapLogin(int port, String user, String password) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      in.readLine(); // greeting
      out.write(
          ("a1 LOGIN \"" + user + "\" \"" + password + "\"\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      String line;
      while ((line = in.readLine()) != null && !line.startsWith("a1 ")) {
        // untagged lines
      }
      return line;
    }
  }

  /** One submission with AUTH PLAIN; returns the reply code to DATA's end (or the failing one). */
  private static String submit(int port, String user, String password, String rcpt)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = s.getOutputStream();
      reply(in);
      String auth =
          Base64.getEncoder()
              .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
      for (String[] step :
          new String[][] {
            {"EHLO test", "250"},
            {"AUTH PLAIN " + auth, "235"},
            {"MAIL FROM:<" + user + ">", "250"},
            {"RCPT TO:<" + rcpt + ">", "250"},
            {"DATA", "354"},
            {"Subject: hi\r\nFrom: <" + user + ">\r\n\r\nhello\r\n.", "250"}
          }) {
        out.write((step[0] + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        String code = reply(in);
        if (!code.equals(step[1])) {
          return code;
        }
      }
      return "250";
    }
  }

  private static String reply(BufferedReader in) throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        return "closed";
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    return line.substring(0, 3);
  }
}
