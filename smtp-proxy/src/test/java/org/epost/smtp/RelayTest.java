package org.epost.smtp;

import static org.epost.smtp.RawSmtpClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.epost.smtp.api.PasswordVerifier;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.api.SmtpServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay to a smarthost. The smarthost is a second, independent server process-in-JVM of this module
 * in submission mode for outside.example with STARTTLS and AUTH and its own disk store
 * (docs/adr/0043 records why not Postfix here).
 */
class RelayTest {
  static final String CAROL = "carol@outside.example";
  static final String RELAY_USER = "relay-account";
  static final String RELAY_PASSWORD = "relay-password";

  @TempDir Path dir;
  TestRing ring;
  SmtpProxy smarthost;
  DiskMailStore outside;

  @AfterEach
  void stop() {
    if (ring != null) {
      ring.close();
    }
    if (smarthost != null) {
      smarthost.close();
    }
  }

  private void startSmarthost(int port) throws Exception {
    outside = new DiskMailStore(dir.resolve("outside"), Set.of(CAROL));
    smarthost =
        SmtpProxy.start(
            SmtpServerConfig.submission(
                    Set.of("outside.example"),
                    PasswordVerifier.ofTable(Map.of(RELAY_USER, RELAY_PASSWORD)))
                .withHostName("smarthost.outside.example")
                .withTls(TestTls.server())
                .withPort(port),
            outside,
            Optional.empty());
  }

  private RelayConfig relayTo(int port) throws Exception {
    return RelayConfig.of(dir.resolve("queue"), "localhost", port)
        .withTls(RelayConfig.TlsPolicy.REQUIRE_STARTTLS, TestTls.client())
        .withCredentials(RELAY_USER, RELAY_PASSWORD)
        .withHeloName("mx.ring.example")
        .withRetry(Duration.ofMillis(200), Duration.ofMillis(800), Duration.ofMinutes(10))
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void send(TestRing ring, String to, String body) throws Exception {
    try (RawSmtpClient c = ring.client()) {
      c.login(TestRing.ALICE, TestRing.PASSWORD);
      expect(c.command("MAIL FROM:<alice@ring.example>"), "250");
      for (String r : to.split(",")) {
        expect(c.command("RCPT TO:<" + r + ">"), "250");
      }
      expect(c.command("DATA"), "354");
      expect(
          c.command(
              "Subject: relay\r\nMessage-ID: <" + body + "@ring.example>\r\n\r\n" + body + "\r\n."),
          "250 2.0.0");
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not within 30 s: " + what);
  }

  @Test
  void mailForOutsideGoesToTheSmarthostOverTlsWithAuthAndLocalMailStaysLocal() throws Exception {
    startSmarthost(0);
    ring = TestRing.submission(dir, c -> c, Optional.of(relayTo(smarthost.address().getPort())));
    send(ring, CAROL + "," + TestRing.BOB, "mixed-marker");
    assertEquals(
        1, ring.store.messagesFor(TestRing.BOB).size(), "local copy stored before the 250");
    await("delivery to carol", () -> outside.messagesFor(CAROL).size() == 1);
    String delivered = outside.messagesFor(CAROL).get(0);
    assertTrue(delivered.contains("with ESMTPSA"), "STARTTLS and AUTH were used: " + delivered);
    assertTrue(delivered.contains("Message-ID: <mixed-marker@ring.example>"));
    await("queue drained", () -> ring.proxy.queuedForRelay() == 0);
  }

  @Test
  void whenTheSmarthostIsDownTheMessageWaitsAndIsDeliveredOnceItIsUp() throws Exception {
    int port = freePort();
    ring = TestRing.submission(dir, c -> c, Optional.of(relayTo(port)));
    send(ring, CAROL, "retry-marker");
    Thread.sleep(700); // several failed attempts against the closed port
    assertEquals(1, ring.proxy.queuedForRelay(), "still queued while the smarthost is down");
    startSmarthost(port);
    await("delivery after the smarthost came up", () -> outside.messagesFor(CAROL).size() == 1);
    await("queue drained", () -> ring.proxy.queuedForRelay() == 0);
    assertEquals(1, outside.messagesFor(CAROL).size(), "delivered exactly once");
    assertTrue(ring.store.messagesFor(TestRing.ALICE).isEmpty(), "no bounce");
  }

  @Test
  void aPermanentRefusalBouncesToTheSenderWithAnRfc3464Report() throws Exception {
    startSmarthost(0);
    ring = TestRing.submission(dir, c -> c, Optional.of(relayTo(smarthost.address().getPort())));
    send(ring, "ghost@outside.example," + CAROL, "bounce-marker");
    await("bounce to alice", () -> ring.store.messagesFor(TestRing.ALICE).size() == 1);
    await("carol still got hers", () -> outside.messagesFor(CAROL).size() == 1);
    MimeMessage dsn = parse(ring.store.messagesFor(TestRing.ALICE).get(0));
    assertTrue(dsn.getContentType().startsWith("multipart/report"), dsn.getContentType());
    MimeMultipart parts = (MimeMultipart) dsn.getContent();
    assertEquals(3, parts.getCount());
    assertTrue(parts.getBodyPart(1).isMimeType("message/delivery-status"));
    String status =
        new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(status.contains("Final-Recipient: rfc822; ghost@outside.example"), status);
    assertTrue(status.contains("Action: failed") && status.contains("Status: 5.1.1"), status);
    assertTrue(!status.contains(CAROL), "only the failed recipient is reported");
    String original =
        new String(parts.getBodyPart(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(original.contains("Message-ID: <bounce-marker@ring.example>"), original);
  }

  @Test
  void afterTheExpiryTheSenderGetsAFailureReport() throws Exception {
    int port = freePort();
    RelayConfig relay =
        relayTo(port)
            .withRetry(Duration.ofMillis(100), Duration.ofMillis(300), Duration.ofSeconds(1));
    ring = TestRing.submission(dir, c -> c, Optional.of(relay));
    send(ring, CAROL, "expiry-marker");
    await("expiry bounce", () -> ring.store.messagesFor(TestRing.ALICE).size() == 1);
    String dsn = ring.store.messagesFor(TestRing.ALICE).get(0);
    assertTrue(dsn.contains("Status: 5.4.7"), dsn);
    assertTrue(dsn.contains("X-Envelope-From: <>"), "a bounce has the null sender");
    await("queue drained", () -> ring.proxy.queuedForRelay() == 0);
  }

  @Test
  void theQueueSurvivesARestart() throws Exception {
    int port = freePort();
    ring = TestRing.submission(dir, c -> c, Optional.of(relayTo(port)));
    send(ring, CAROL, "restart-marker");
    ring.close();
    startSmarthost(port);
    ring = TestRing.submission(dir, c -> c, Optional.of(relayTo(port)));
    await("delivery after restart", () -> outside.messagesFor(CAROL).size() == 1);
  }

  @Test
  void withoutTlsAtTheSmarthostNothingIsSentWhenTlsIsRequired() throws Exception {
    outside = new DiskMailStore(dir.resolve("outside"), Set.of(CAROL));
    smarthost =
        SmtpProxy.start(
            SmtpServerConfig.gateway(Set.of("outside.example")), outside, Optional.empty());
    ring = TestRing.submission(dir, c -> c, Optional.of(relayTo(smarthost.address().getPort())));
    send(ring, CAROL, "cleartext-marker");
    Thread.sleep(1000);
    assertTrue(outside.messagesFor(CAROL).isEmpty());
    assertEquals(1, ring.proxy.queuedForRelay());
  }

  private static MimeMessage parse(String stored) throws Exception {
    return new MimeMessage(
        Session.getInstance(new Properties()),
        new ByteArrayInputStream(stored.getBytes(StandardCharsets.UTF_8)));
  }
}
