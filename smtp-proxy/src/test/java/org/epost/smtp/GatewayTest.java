package org.epost.smtp;

import static org.epost.smtp.RawSmtpClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbound gateway: only the ring's domain, never an open relay, rate-limited per client. */
class GatewayTest {
  @TempDir Path dir;
  TestRing gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void mailFromOutsideForTheRingIsAcceptedWithoutAuth() throws Exception {
    gateway = TestRing.gateway(dir, UnaryOperator.identity());
    try (RawSmtpClient c = gateway.client()) {
      expect(c.reply(), "220 gw.ring.example");
      String ehlo = c.command("EHLO mta.outside.example");
      assertTrue(!ehlo.contains("AUTH"), "no AUTH offered on the gateway: " + ehlo);
      expect(c.command("AUTH PLAIN AGEAYg=="), "502 5.5.1");
      expect(c.command("MAIL FROM:<carol@outside.example>"), "250");
      expect(c.command("RCPT TO:<Bob@RING.example>"), "250 2.1.5");
      expect(c.command("RCPT TO:<nobody@ring.example>"), "550 5.1.1");
      c.command("DATA");
      expect(c.command("Subject: inbound\r\n\r\ninbound-marker\r\n."), "250 2.0.0");
    }
    assertEquals(1, gateway.store.messagesFor(TestRing.BOB).size());
  }

  @Test
  void relayAttemptsFromOutsideTheRingGet550AndNothingIsStored() throws Exception {
    gateway = TestRing.gateway(dir, UnaryOperator.identity());
    try (RawSmtpClient c = gateway.client()) {
      c.reply();
      c.command("EHLO spammer.example");
      expect(c.command("MAIL FROM:<spammer@outside.example>"), "250");
      for (String victim :
          List.of(
              "victim@other.example",
              "victim@ring.example.evil.com",
              "\"bob@ring.example\"@other.example",
              "victim@other.example@ring.example",
              "@ring.example:victim@other.example",
              "victim%other.example@ring.example")) {
        String reply = c.command("RCPT TO:<" + victim + ">");
        assertTrue(
            reply.startsWith("550 5.7.1")
                || reply.startsWith("550 5.1.1")
                || reply.startsWith("501 5.1.3"),
            victim + " -> " + reply);
      }
      expect(c.command("DATA"), "554 5.5.1");
    }
    assertTrue(gateway.store.allMessages().isEmpty());
  }

  @Test
  void aClientSendingTooFastIsTemporarilyRefused() throws Exception {
    gateway = TestRing.gateway(dir, c -> c.withRateLimit(3, 100));
    try (RawSmtpClient c = gateway.client()) {
      c.reply();
      c.command("EHLO busy.example");
      for (int i = 0; i < 3; i++) {
        expect(c.command("MAIL FROM:<carol@outside.example>"), "250");
        expect(c.command("RSET"), "250");
      }
      expect(c.command("MAIL FROM:<carol@outside.example>"), "450 4.7.1");
    }
  }

  @Test
  void oversizedInboundMailIsRefused() throws Exception {
    gateway = TestRing.gateway(dir, c -> c.withMaxMessageBytes(100));
    try (RawSmtpClient c = gateway.client()) {
      c.reply();
      c.command("EHLO big.example");
      c.command("MAIL FROM:<carol@outside.example>");
      c.command("RCPT TO:<bob@ring.example>");
      c.command("DATA");
      expect(c.command("x".repeat(500) + "\r\n."), "552 5.3.4");
    }
    assertTrue(gateway.store.allMessages().isEmpty());
  }

  @Test
  void listenersBindToLoopbackUnlessToldOtherwise() throws Exception {
    gateway = TestRing.gateway(dir, UnaryOperator.identity());
    assertTrue(gateway.address().getAddress().isLoopbackAddress());
    gateway.close();
    java.net.InetAddress configured = java.net.InetAddress.getByName("127.0.0.2");
    gateway = TestRing.gateway(dir, c -> c.withBindAddress(configured));
    assertEquals(configured, gateway.address().getAddress());
    try (RawSmtpClient c = gateway.client()) {
      expect(c.reply(), "220 gw.ring.example");
    }
  }
}
