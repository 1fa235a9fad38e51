package org.epost.smtp;

import static org.epost.smtp.RawSmtpClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.epost.smtp.api.SmtpServerConfig;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The submission port at the byte level: replies, limits and stored results. */
class SubmissionProtocolTest {
  @TempDir Path dir;
  TestRing ring;

  @AfterEach
  void stop() {
    if (ring != null) {
      ring.close();
    }
  }

  private RawSmtpClient start(UnaryOperator<SmtpServerConfig> tune) throws Exception {
    ring = TestRing.submission(dir, tune, Optional.empty());
    return ring.client();
  }

  private RawSmtpClient loggedIn() throws Exception {
    RawSmtpClient c = start(UnaryOperator.identity());
    c.login(TestRing.ALICE, TestRing.PASSWORD);
    return c;
  }

  @Test
  void ehloAdvertisesTheExtensions() throws Exception {
    try (RawSmtpClient c = start(config -> config.withMaxMessageBytes(1_000_000))) {
      expect(c.reply(), "220 mx.ring.example");
      String ehlo = c.command("EHLO me.test");
      for (String ext :
          List.of(
              "PIPELINING",
              "SIZE 1000000",
              "8BITMIME",
              "ENHANCEDSTATUSCODES",
              "SMTPUTF8",
              "CHUNKING",
              "AUTH PLAIN LOGIN")) {
        assertTrue(ehlo.contains(ext), ext + " missing in " + ehlo);
      }
      assertTrue(!ehlo.contains("STARTTLS"), "no STARTTLS without a certificate");
    }
  }

  @Test
  void nothingIsAcceptedWithoutAuthentication() throws Exception {
    try (RawSmtpClient c = start(UnaryOperator.identity())) {
      c.reply();
      c.command("EHLO me.test");
      expect(c.command("MAIL FROM:<alice@ring.example>"), "530 5.7.0");
      expect(
          c.command(
              "AUTH PLAIN "
                  + java.util.Base64.getEncoder()
                      .encodeToString("\0alice@ring.example\0wrong".getBytes())),
          "535 5.7.8");
      expect(c.command("AUTH LOGIN"), "334 VXNlcm5hbWU6");
      expect(
          c.command(java.util.Base64.getEncoder().encodeToString("alice@ring.example".getBytes())),
          "334 UGFzc3dvcmQ6");
      expect(
          c.command(java.util.Base64.getEncoder().encodeToString(TestRing.PASSWORD.getBytes())),
          "235 2.7.0");
      expect(c.command("MAIL FROM:<alice@ring.example>"), "250 2.1.0");
    }
  }

  @Test
  void repeatedWrongPasswordsCloseTheConnection() throws Exception {
    try (RawSmtpClient c = start(UnaryOperator.identity())) {
      c.reply();
      c.command("EHLO me.test");
      String bad =
          java.util.Base64.getEncoder().encodeToString("\0alice@ring.example\0nope".getBytes());
      expect(c.command("AUTH PLAIN " + bad), "535 5.7.8");
      expect(c.command("AUTH PLAIN " + bad), "535 5.7.8");
      String last = c.command("AUTH PLAIN " + bad);
      expect(last, "535 5.7.8");
      expect(c.reply(), "421 4.7.0");
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void eachRecipientIsAnsweredOnItsOwnAndOnlyKnownOnesGetTheMessage() throws Exception {
    try (RawSmtpClient c = loggedIn()) {
      expect(c.command("MAIL FROM:<alice@ring.example>"), "250 2.1.0");
      expect(c.command("RCPT TO:<bob@ring.example>"), "250 2.1.5");
      String unknown = c.command("RCPT TO:<nobody@ring.example>");
      expect(unknown, "550 5.1.1");
      assertTrue(unknown.contains("nobody@ring.example"), unknown);
      expect(c.command("RCPT TO:<carol@elsewhere.example>"), "550 5.7.1");
      expect(c.command("DATA"), "354");
      String reply =
          c.command("Subject: hi\r\nMessage-ID: <m1@client>\r\n\r\nhello\r\n..dotted\r\n.");
      expect(reply, "250 2.0.0");
      List<String> bobs = ring.store.messagesFor(TestRing.BOB);
      assertEquals(1, bobs.size());
      assertTrue(bobs.get(0).contains("Message-ID: <m1@client>"));
      assertTrue(
          bobs.get(0).contains("\r\nhello\r\n.dotted\r\n"), "dot-unstuffed body: " + bobs.get(0));
      assertTrue(
          bobs.get(0)
              .startsWith("X-Envelope-From: <alice@ring.example>\r\nReceived: from client.test"));
      assertTrue(ring.store.messagesFor("nobody@ring.example").isEmpty());
    }
  }

  @Test
  void aMessageIdIsAddedWhenTheClientSentNone() throws Exception {
    try (RawSmtpClient c = loggedIn()) {
      c.command("MAIL FROM:<alice@ring.example>");
      c.command("RCPT TO:<bob@ring.example>");
      c.command("DATA");
      String reply = expect(c.command("Subject: no id\r\n\r\nbody\r\n."), "250 2.0.0");
      String stored = ring.store.messagesFor(TestRing.BOB).get(0);
      int at = stored.indexOf("Message-ID: <");
      assertTrue(at > 0, stored);
      String id = stored.substring(at + 12, stored.indexOf('\r', at));
      assertTrue(reply.contains(id), "the 250 names the stored Message-ID: " + reply);
    }
  }

  @Test
  void sizeIsEnforcedWhenDeclaredAndWhenSent() throws Exception {
    try (RawSmtpClient c = start(config -> config.withMaxMessageBytes(1000))) {
      c.login(TestRing.ALICE, TestRing.PASSWORD);
      expect(c.command("MAIL FROM:<alice@ring.example> SIZE=1001"), "552 5.3.4");
      expect(c.command("MAIL FROM:<alice@ring.example> SIZE=999"), "250");
      c.command("RCPT TO:<bob@ring.example>");
      c.command("DATA");
      expect(c.command("Subject: big\r\n\r\n" + "x".repeat(2000) + "\r\n."), "552 5.3.4");
      expect(c.command("NOOP"), "250");
      assertTrue(ring.store.messagesFor(TestRing.BOB).isEmpty());
    }
  }

  @Test
  void aSizeThatIsNotOneTo20DigitsGets501() throws Exception {
    try (RawSmtpClient c = start(config -> config.withMaxMessageBytes(1000))) {
      c.login(TestRing.ALICE, TestRing.PASSWORD);
      expect(c.command("MAIL FROM:<alice@ring.example> SIZE=-1"), "501 5.5.4");
      expect(c.command("MAIL FROM:<alice@ring.example> SIZE=+5"), "501 5.5.4");
      expect(c.command("MAIL FROM:<alice@ring.example> SIZE=12a"), "501 5.5.4");
      expect(c.command("MAIL FROM:<alice@ring.example> SIZE=99999999999999999999"), "552 5.3.4");
      expect(c.command("MAIL FROM:<alice@ring.example> SIZE=0"), "250 2.1.0");
    }
  }

  @Test
  void pipelinedCommandsAreAllAnsweredInOrder() throws Exception {
    try (RawSmtpClient c = loggedIn()) {
      c.sendRaw(
          "MAIL FROM:<alice@ring.example>\r\nRCPT TO:<bob@ring.example>\r\nRCPT TO:<x@ring.example>\r\nDATA\r\n");
      expect(c.reply(), "250 2.1.0");
      expect(c.reply(), "250 2.1.5");
      expect(c.reply(), "550 5.1.1");
      expect(c.reply(), "354");
      c.sendRaw("Subject: p\r\n\r\npipelined\r\n.\r\nNOOP\r\nQUIT\r\n");
      expect(c.reply(), "250 2.0.0");
      expect(c.reply(), "250 2.0.0");
      expect(c.reply(), "221 2.0.0");
      assertEquals(1, ring.store.messagesFor(TestRing.BOB).size());
    }
  }

  @Test
  void bdatChunksMakeOneMessage() throws Exception {
    try (RawSmtpClient c = loggedIn()) {
      c.command("MAIL FROM:<alice@ring.example>");
      c.command("RCPT TO:<bob@ring.example>");
      String part1 = "Subject: chunks\r\n\r\n.first";
      String part2 = " second\r\n";
      c.sendRaw("BDAT " + part1.length() + "\r\n" + part1);
      expect(c.reply(), "250 2.0.0");
      c.sendRaw("BDAT " + part2.length() + " LAST\r\n" + part2);
      expect(c.reply(), "250 2.0.0");
      assertTrue(ring.store.messagesFor(TestRing.BOB).get(0).endsWith("\r\n\r\n.first second\r\n"));
    }
  }

  @Test
  void anHttpRequestClosesTheConnection() throws Exception {
    try (RawSmtpClient c = start(UnaryOperator.identity())) {
      c.reply();
      c.sendRaw("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
      expect(c.reply(), "554 5.7.0");
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void anOverlongLineIsRefusedWithoutBufferingAndTheSessionGoesOn() throws Exception {
    try (RawSmtpClient c = start(UnaryOperator.identity())) {
      c.reply();
      c.sendRaw("NOOP " + "A".repeat(1024 * 1024) + "\r\n");
      expect(c.reply(), "500 5.5.2 Line too long");
      expect(c.command("EHLO me.test"), "250");
    }
  }

  @Test
  void commandsWithoutAMessageAreBoundedButMessagesResetTheCount() throws Exception {
    try (RawSmtpClient c = start(config -> config.withMaxCommandsPerMessage(8))) {
      c.login(TestRing.ALICE, TestRing.PASSWORD); // 2 commands
      for (int message = 0; message < 3; message++) {
        expect(c.command("MAIL FROM:<alice@ring.example>"), "250");
        expect(c.command("RCPT TO:<bob@ring.example>"), "250");
        expect(c.command("DATA"), "354");
        expect(c.command("Subject: " + message + "\r\n\r\nbody\r\n."), "250 2.0.0");
      }
      for (int i = 0; i < 8; i++) {
        expect(c.command("NOOP"), "250");
      }
      expect(c.command("NOOP"), "421 4.7.0");
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void recipientsPerMessageAreBounded() throws Exception {
    try (RawSmtpClient c = start(config -> config.withMaxRecipients(2))) {
      c.login(TestRing.ALICE, TestRing.PASSWORD);
      c.command("MAIL FROM:<alice@ring.example>");
      expect(c.command("RCPT TO:<bob@ring.example>"), "250");
      expect(c.command("RCPT TO:<alice@ring.example>"), "250");
      expect(c.command("RCPT TO:<bob@ring.example>"), "452 4.5.3");
    }
  }

  @Test
  void garbageCommandsEndTheSessionAfterTheErrorBound() throws Exception {
    try (RawSmtpClient c = start(UnaryOperator.identity())) {
      c.reply();
      String last = null;
      for (int i = 0; i < 20; i++) {
        last = c.command("\u0000\u00ff\u0001garbage " + i);
      }
      expect(last, "500 5.5.2");
      expect(c.reply(), "421 4.7.0");
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void aSilentClientIsDisconnected() throws Exception {
    try (RawSmtpClient c = start(config -> config.withIdleTimeout(Duration.ofMillis(300)))) {
      c.reply();
      expect(c.reply(), "421 4.4.2");
    }
  }

  @Test
  void connectionsBeyondTheLimitAreRefused() throws Exception {
    try (RawSmtpClient first = start(config -> config.withMaxConnections(1))) {
      expect(first.reply(), "220");
      try (RawSmtpClient second = ring.client()) {
        expect(second.reply(), "421 4.3.2");
      }
    }
  }

  @Test
  void aSlowBackendYields451AndTheClientKeepsTheMessage() throws Exception {
    try (RawSmtpClient c = start(config -> config.withBackendTimeout(Duration.ofMillis(300)))) {
      c.login(TestRing.ALICE, TestRing.PASSWORD);
      c.command("MAIL FROM:<alice@ring.example>");
      c.command("RCPT TO:<bob@ring.example>");
      ring.store.slowDown(Duration.ofSeconds(5));
      c.command("DATA");
      try (RawSmtpClient other = ring.client()) {
        // while the first connection waits, another one is served
        other.login(TestRing.BOB, TestRing.PASSWORD);
        c.sendRaw("Subject: slow\r\n\r\nbody\r\n.\r\n");
        expect(other.command("NOOP"), "250 2.0.0");
      }
      expect(c.reply(), "451 4.4.3");
      expect(c.command("NOOP"), "250");
    }
  }

  @Test
  void aFailingBackendGivesItsPreciseStatus() throws Exception {
    try (RawSmtpClient c = loggedIn()) {
      ring.store.failWith(
          new SubmissionException(SmtpStatus.INSUFFICIENT_STORAGE, "ring storage quota reached"));
      c.command("MAIL FROM:<alice@ring.example>");
      c.command("RCPT TO:<bob@ring.example>");
      c.command("DATA");
      String reply = c.command("Subject: x\r\n\r\nbody\r\n.");
      assertEquals("452 4.3.1 ring storage quota reached", reply);
    }
  }

  @Test
  void utf8AddressesNeedSmtputf8() throws Exception {
    try (RawSmtpClient c = loggedIn()) {
      expect(c.command("MAIL FROM:<jörg@ring.example>"), "553 5.6.7");
      expect(c.command("MAIL FROM:<jörg@ring.example> SMTPUTF8 BODY=8BITMIME"), "250");
    }
  }

  @Test
  void commandsPipelinedBehindStartTlsAreRefused() throws Exception {
    try (RawSmtpClient c =
        start(
            config -> {
              try {
                return config.withTls(TestTls.server());
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })) {
      c.reply();
      assertTrue(c.command("EHLO me.test").contains("STARTTLS"));
      c.sendRaw("STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n");
      expect(c.reply(), "554 5.5.1");
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void aStuckBackendCannotMakeTheServerGrowThreadsWithoutBound() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (RawSmtpClient c =
        start(config -> config.withMaxConnections(1).withBackendTimeout(Duration.ofMillis(200)))) {
      c.login(TestRing.ALICE, TestRing.PASSWORD);
      ring.store.hangUntil(release);
      for (int i = 0; i < 2; i++) { // two stuck calls fill the bound of 2 x maxConnections
        c.command("MAIL FROM:<alice@ring.example>");
        c.command("RCPT TO:<bob@ring.example>");
        c.command("DATA");
        expect(c.command("Subject: stuck\r\n\r\nbody\r\n."), "451 4.4.3");
      }
      c.command("MAIL FROM:<alice@ring.example>");
      expect(c.command("RCPT TO:<bob@ring.example>"), "451 4.3.0 Storage is overloaded");
    } finally {
      release.countDown();
    }
  }
}
