package org.epost.mail.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Internet mail both ways across daemon processes (issue 15, deliverable 2; ADR 0116, 0128, 0129):
 * one ring of five {@code epost} JVMs on loopback (the operator's node; alice's node, whose
 * smarthost is a real SMTP server, python3-aiosmtpd, requiring AUTH, reached in clear text with
 * {@code smarthost.tls = none}; bob's node serving bob and carol; erin's node, whose smarthost
 * takes mail from anyone but offers no STARTTLS, with the default {@code smarthost.tls = required};
 * the gateway node, {@code epost gateway}, storing as {@code gateway@ring.test}).
 *
 * <ul>
 *   <li>Outbound: python3 smtplib submits one message to bob, carol and an Internet address at
 *       alice's node; the Internet copy reaches the smarthost byte for byte apart from the proxy's
 *       Received line, the ring copies reach bob's and carol's INBOXes (python3 imaplib).
 *   <li>A recipient the smarthost refuses comes back to alice's INBOX as an RFC 3464 report.
 *   <li>With STARTTLS required, a smarthost that does not offer it gets nothing; the message stays
 *       in the relay queue, as {@code epost status} shows.
 *   <li>Inbound: swaks as an Internet sender at the gateway's port delivers into bob's INBOX with
 *       {@code Authentication-Results: ...; none}; a recipient outside the ring's domain gets 550
 *       5.7.1 (no open relay), an unknown ring user 550 5.1.1.
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InternetMailEndToEndTest {
  private static final String ALICE = "alice@ring.test";
  private static final String BOB = "bob@ring.test";
  private static final String CAROL = "carol@ring.test";
  private static final String GATEWAY = "gateway@ring.test";
  private static final String ERIN = "erin@ring.test";
  private static final String SMARTHOST_USER = "relay-user";

  @TempDir static Path tmp;
  private InternetTestRing ring;
  private Process smarthost;
  private Path smarthostSpool;
  private Process plainSmarthost;
  private Path plainSpool;
  private InternetTestRing.Member alice;
  private InternetTestRing.Member bob;
  private InternetTestRing.Member gateway;
  private InternetTestRing.Member erin;
  private int gatewayPort;

  @BeforeAll
  void startRing() throws Exception {
    assumeTrue(
        InstalledMailParts.get().isPresent(),
        "awaiting integration: " + InstalledMailParts.MISSING);
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/swaks")), "swaks is not installed");
    assumeTrue(
        python("-c", "import aiosmtpd").waitFor() == 0,
        "python3-aiosmtpd is not installed (.ci/packages/epost.txt)");
    smarthostSpool = Files.createDirectories(tmp.resolve("smarthost-spool"));
    int smarthostPort = InternetTestRing.freePort();
    smarthost =
        python(
            script("smarthost.py").toString(),
            String.valueOf(smarthostPort),
            smarthostSpool.toString(),
            SMARTHOST_USER,
            "smarthost-secret");
    String ready = new BufferedReader(new InputStreamReader(smarthost.getInputStream())).readLine();
    assertEquals("ready", ready, "the smarthost started");
    plainSpool = Files.createDirectories(tmp.resolve("plain-spool"));
    int plainPort = InternetTestRing.freePort();
    plainSmarthost =
        python(
            script("smarthost.py").toString(),
            String.valueOf(plainPort),
            plainSpool.toString(),
            "-",
            "-");
    assertEquals(
        "ready",
        new BufferedReader(new InputStreamReader(plainSmarthost.getInputStream())).readLine());
    Path smarthostPassword = tmp.resolve("smarthost-password");
    Files.writeString(smarthostPassword, "smarthost-secret\n");

    ring = new InternetTestRing(tmp);
    alice =
        ring.member(
            "alice",
            List.of(ALICE),
            Map.of(
                DaemonConfig.Key.SMARTHOST_HOST,
                "127.0.0.1",
                DaemonConfig.Key.SMARTHOST_PORT,
                String.valueOf(smarthostPort),
                DaemonConfig.Key.SMARTHOST_TLS,
                "none",
                DaemonConfig.Key.SMARTHOST_USER,
                SMARTHOST_USER,
                DaemonConfig.Key.SMARTHOST_PASSWORD_FILE,
                smarthostPassword.toString()));
    bob =
        ring.member("bob", List.of(BOB, CAROL), Map.of(DaemonConfig.Key.GATEWAY_ACCOUNTS, GATEWAY));
    gateway =
        ring.member(
            "gateway", List.of(GATEWAY), Map.of(DaemonConfig.Key.GATEWAY_HOSTNAME, "mx.ring.test"));
    erin =
        ring.member(
            "erin",
            List.of(ERIN),
            Map.of(
                DaemonConfig.Key.SMARTHOST_HOST,
                "127.0.0.1",
                DaemonConfig.Key.SMARTHOST_PORT,
                String.valueOf(plainPort)));
    gatewayPort = InternetTestRing.freePort();
    ring.start(ring.operator());
    ring.start(alice);
    ring.start(bob);
    ring.start(erin);
    DaemonProcess g = ring.start(gateway, "gateway", "--listen", "127.0.0.1:" + gatewayPort);
    assertEquals("gateway 127.0.0.1:" + gatewayPort + " as " + GATEWAY, g.await("gateway ", 10));
  }

  @AfterAll
  void stopRing() throws Exception {
    if (ring != null) {
      ring.close();
    }
    for (Process p : new Process[] {smarthost, plainSmarthost}) {
      if (p != null) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void oneMessageToTwoRingUsersAndOneInternetAddress() throws Exception {
    String marker = "mixed-" + System.nanoTime();
    byte[] message =
        ("From: Alice <alice@ring.test>\r\n"
                + "To: bob@ring.test, carol@ring.test, dana@internet.test\r\n"
                + "Subject: "
                + marker
                + "\r\n"
                + "Message-ID: <"
                + marker
                + "@ring.test>\r\n"
                + "Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "\r\n"
                + "One message, three readers.\r\n"
                + ".a line that starts with a dot\r\n"
                + "\r\n"
                + "-- \r\nalice\r\n")
            .getBytes(StandardCharsets.UTF_8);
    Path file = tmp.resolve(marker + ".eml");
    Files.write(file, message);
    Result sent = submit(file, BOB, CAROL, "dana@internet.test");
    assertEquals(0, sent.code, sent.out + ring.errors(alice));

    Path received = awaitSmarthost(marker, 60);
    List<String> envelope =
        Files.readAllLines(Path.of(received.toString().replace(".eml", ".env")));
    assertEquals(
        List.of("auth " + SMARTHOST_USER, "from " + ALICE, "to dana@internet.test"),
        envelope,
        "only the Internet recipient goes to the smarthost, after AUTH, from alice");
    byte[] bytes = Files.readAllBytes(received);
    byte[] body = withoutLeadingReceived(bytes);
    assertTrue(
        new String(bytes, 0, bytes.length - body.length, StandardCharsets.UTF_8)
            .contains("Received: from client.test"),
        "the proxy's trace line names the submitting client");
    assertEquals(
        new String(message, StandardCharsets.UTF_8),
        new String(body, StandardCharsets.UTF_8),
        "the Internet copy is byte for byte what alice sent, apart from the trace header");
    assertTrue(Arrays.equals(message, body));

    Result atBob = inbox(bob, BOB, marker, 60);
    assertEquals(0, atBob.code, atBob.out + ring.errors(bob));
    assertTrue(atBob.text().contains("x-epost-ring=pass"), atBob.text());
    Result atCarol = inbox(bob, CAROL, marker, 60);
    assertEquals(0, atCarol.code, atCarol.out + ring.errors(bob));

    String status = status(alice);
    assertTrue(status.contains("relay     0 message(s) waiting for the smarthost"), status);
  }

  @Test
  void aRecipientTheSmarthostRefusesComesBackAsAReportInAlicesInbox() throws Exception {
    String marker = "bounce-" + System.nanoTime();
    Path file = tmp.resolve(marker + ".eml");
    Files.writeString(
        file,
        "From: alice@ring.test\r\nTo: bounce@internet.test\r\nSubject: "
            + marker
            + "\r\n\r\nThis one comes back.\r\n");
    Result sent = submit(file, "bounce@internet.test");
    assertEquals(0, sent.code, "the proxy queues it for the smarthost: " + sent.out);

    Result report = inbox(alice, ALICE, marker, 60);
    assertEquals(0, report.code, report.out + ring.errors(alice));
    String dsn = report.text();
    assertTrue(dsn.contains("multipart/report"), dsn);
    assertTrue(dsn.contains("report-type=delivery-status"), dsn);
    assertTrue(dsn.contains("Final-Recipient: rfc822; bounce@internet.test"), dsn);
    assertTrue(dsn.contains("Action: failed"), dsn);
    assertTrue(dsn.contains("Status: 5.1.1"), dsn);
    assertTrue(dsn.contains("Subject: " + marker), "the original header section is quoted");
  }

  @Test
  void withTlsRequiredAPlainSmarthostGetsNothingAndTheMailStaysQueued() throws Exception {
    String marker = "tls-" + System.nanoTime();
    Path file = tmp.resolve(marker + ".eml");
    Files.writeString(
        file,
        "From: erin@ring.test\r\nTo: dana@internet.test\r\nSubject: "
            + marker
            + "\r\n\r\nNot in clear text, please.\r\n");
    Result sent = submit(erin, ERIN, file, "dana@internet.test");
    assertEquals(0, sent.code, "queued for the smarthost: " + sent.out);
    String status = status(erin);
    assertTrue(status.contains("relay     1 message(s) waiting for the smarthost"), status);
    Thread.sleep(3000); // the first attempt runs at once; the smarthost offers no STARTTLS
    try (var files = Files.list(plainSpool)) {
      assertEquals(
          List.of(),
          files.toList(),
          "sent to a smarthost without STARTTLS although smarthost.tls is required");
    }
    assertTrue(status(erin).contains("relay     1 message(s)"), "still queued");
  }

  @Test
  void internetMailThroughTheGatewayReachesBobMarkedUnauthenticated() throws Exception {
    String marker = "inbound-" + System.nanoTime();
    Result swaks = swaks("bob@ring.test", marker);
    assertEquals(0, swaks.code, swaks.out + ring.errors(gateway));

    Result atBob = inbox(bob, BOB, marker, 60);
    assertEquals(0, atBob.code, atBob.out + ring.errors(bob));
    String text = atBob.text();
    assertTrue(
        text.matches("(?s).*Authentication-Results: [^;\r\n]+; none\r?\n.*"),
        "marked as from the Internet, unauthenticated: " + text);
    assertTrue(text.contains("by ring gateway " + GATEWAY), text);
    assertFalse(text.contains("x-epost-ring=pass"), "no ring verification claimed: " + text);
    assertTrue(text.contains("From: someone@internet.test"), text);
  }

  @Test
  void theGatewayIsNoOpenRelayAndKnowsTheRingsUsers() throws Exception {
    Result relay = swaks("someone@elsewhere.test", "relay-" + System.nanoTime());
    assertTrue(relay.code != 0, relay.out);
    assertTrue(relay.out.contains("<** 550 5.7.1"), relay.out);

    Result unknown = swaks("nobody@ring.test", "unknown-" + System.nanoTime());
    assertTrue(unknown.code != 0, unknown.out);
    assertTrue(unknown.out.contains("<** 550 5.1.1"), unknown.out);
  }

  // ---- the clients ----

  record Result(int code, String out, Path file) {
    String text() throws IOException {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    }
  }

  private Result submit(Path file, String... recipients) throws Exception {
    return submit(alice, ALICE, file, recipients);
  }

  private Result submit(InternetTestRing.Member m, String user, Path file, String... recipients)
      throws Exception {
    List<String> args = new ArrayList<>();
    args.add(script("submit.py").toString());
    args.addAll(
        List.of(
            "127.0.0.1",
            String.valueOf(m.smtpPort()),
            user,
            m.password(user),
            user,
            file.toString()));
    args.addAll(List.of(recipients));
    return run(python(args.toArray(String[]::new)), 120, null);
  }

  /** swaks as an Internet sender at the gateway; stops after RCPT when the recipient is refused. */
  private Result swaks(String to, String subject) throws Exception {
    Process p =
        new ProcessBuilder(
                "/usr/bin/swaks",
                "--server",
                "127.0.0.1:" + gatewayPort,
                "--ehlo",
                "mail.internet.test",
                "--from",
                "someone@internet.test",
                "--to",
                to,
                "--header",
                "Subject: " + subject,
                "--body",
                "hello bob, from the Internet",
                "--timeout",
                "60")
            .redirectErrorStream(true)
            .start();
    return run(p, 90, null);
  }

  private Result inbox(InternetTestRing.Member m, String user, String marker, int timeout)
      throws Exception {
    Path out = tmp.resolve(user + "-" + marker + ".eml");
    Process p =
        python(
            script("inbox.py").toString(),
            "127.0.0.1",
            String.valueOf(m.imapPort()),
            user,
            m.password(user),
            marker,
            String.valueOf(timeout),
            out.toString());
    return run(p, timeout + 30, out);
  }

  private String status(InternetTestRing.Member m) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "org.epost.mail.cli.Epost",
                "status",
                "--data",
                m.data().toString())
            .redirectErrorStream(true)
            .start();
    Result r = run(p, 60, null);
    assertEquals(0, r.code, r.out);
    return r.out;
  }

  private Path awaitSmarthost(String marker, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    byte[] needle = marker.getBytes(StandardCharsets.US_ASCII);
    while (System.nanoTime() < end) {
      try (var files = Files.list(smarthostSpool)) {
        for (Path f : files.filter(f -> f.toString().endsWith(".eml")).toList()) {
          if (indexOf(Files.readAllBytes(f), needle) >= 0) {
            return f;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "the smarthost received nothing with "
            + marker
            + " in "
            + seconds
            + " s; alice's log: "
            + ring.errors(alice));
  }

  /** The message after the Received fields at its top (with their folded lines). */
  private static byte[] withoutLeadingReceived(byte[] m) {
    int at = 0;
    while (startsWith(m, at, "Received:")) {
      do {
        at = indexOf(m, "\r\n".getBytes(StandardCharsets.US_ASCII), at) + 2;
      } while (at < m.length && (m[at] == ' ' || m[at] == '\t'));
    }
    return Arrays.copyOfRange(m, at, m.length);
  }

  private static boolean startsWith(byte[] m, int at, String prefix) {
    byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
    return m.length - at >= p.length && Arrays.equals(m, at, at + p.length, p, 0, p.length);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    return indexOf(hay, needle, 0);
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private Path script(String name) throws IOException {
    Path s = tmp.resolve(name);
    if (!Files.exists(s)) {
      try (var in = getClass().getResourceAsStream("/internet/" + name)) {
        Files.write(s, in.readAllBytes());
      }
    }
    return s;
  }

  private static Process python(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("/usr/bin/python3");
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static Result run(Process p, int seconds, Path file) throws Exception {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, out + " (timed out)", file);
    }
    return new Result(p.exitValue(), out.trim(), file);
  }
}
