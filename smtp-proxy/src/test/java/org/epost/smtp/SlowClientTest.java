package org.epost.smtp;

import static org.epost.smtp.RawSmtpClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and greedy clients (issue 17 item 2, docs/adr/0046): deadlines that trickling bytes cannot
 * extend, a minimum rate for DATA, a connection limit per client address, and a TLS handshake on
 * the plain port closed at once. Bounded: at most 100 attacking sockets, each test under 30 s.
 */
@Tag("hostile")
@Timeout(60)
class SlowClientTest {
  static final InetAddress OTHER_HOST = loopback(2);

  @TempDir Path dir;
  TestRing ring;
  final List<Socket> attackers = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (Socket s : attackers) {
      s.close();
    }
    if (ring != null) {
      ring.close();
    }
  }

  static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Sends {@code text} one byte at a time, {@code gapMillis} apart; stops when the server closes.
   */
  private static String trickle(RawSmtpClient c, String text, long gapMillis) throws Exception {
    for (byte b : text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
      try {
        c.sendRaw(new byte[] {b});
      } catch (IOException closed) {
        break;
      }
      Thread.sleep(gapMillis);
    }
    return c.reply();
  }

  @Test
  void aTricklingCommandLineIsCutAtItsDeadline() throws Exception {
    ring =
        TestRing.gateway(
            dir,
            c ->
                c.withIdleTimeout(Duration.ofSeconds(30))
                    .withCommandTimeout(Duration.ofSeconds(2)));
    try (RawSmtpClient c = ring.client()) {
      c.reply();
      long start = System.nanoTime();
      // 40 bytes at one per 150 ms: 6 s, every byte well inside the idle timeout.
      String reply = trickle(c, "EHLO slow.example.xxxxxxxxxxxxxxxxxxxxxx", 150);
      long millis = (System.nanoTime() - start) / 1_000_000;
      expect(reply, "421 4.4.2");
      assertTrue(millis < 4000, "closed at the 2 s deadline, took " + millis + " ms");
      assertTrue(c.closedByServer());
    }
  }

  @Test
  void aTricklingDataTransferIsCutByTheMinimumRate() throws Exception {
    ring =
        TestRing.gateway(
            dir,
            c ->
                c.withIdleTimeout(Duration.ofSeconds(30))
                    .withDataLimits(Duration.ofMinutes(10), Duration.ofSeconds(1), 1000));
    try (RawSmtpClient c = ring.client()) {
      c.reply();
      c.command("EHLO slow.example");
      expect(c.command("MAIL FROM:<carol@outside.example>"), "250");
      expect(c.command("RCPT TO:<bob@ring.example>"), "250");
      expect(c.command("DATA"), "354");
      long start = System.nanoTime();
      String reply = trickle(c, "Subject: slow\r\n\r\n" + "x".repeat(40), 150);
      long millis = (System.nanoTime() - start) / 1_000_000;
      expect(reply, "421 4.4.2");
      assertTrue(reply.contains("bytes per second"), reply);
      assertTrue(millis < 4000, "cut after the 1 s grace, took " + millis + " ms");
    }
    assertTrue(ring.store.allMessages().isEmpty());
  }

  @Test
  void aFastDataTransferIsNotCut() throws Exception {
    ring = TestRing.gateway(dir, c -> c.withDataLimits(Duration.ofSeconds(5), Duration.ZERO, 1000));
    try (RawSmtpClient c = ring.client()) {
      c.reply();
      c.command("EHLO fast.example");
      c.command("MAIL FROM:<carol@outside.example>");
      c.command("RCPT TO:<bob@ring.example>");
      expect(c.command("DATA"), "354");
      expect(
          c.command("Subject: big\r\n\r\n" + ("y".repeat(998) + "\r\n").repeat(2000) + "."), "250");
    }
  }

  @Test
  void connectionsPerClientAddressAreLimitedAndOtherHostsAreStillServed() throws Exception {
    ring = TestRing.gateway(dir, c -> c.withMaxConnectionsPerClient(3));
    List<RawSmtpClient> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RawSmtpClient c = ring.client();
        held.add(c);
        expect(c.reply(), "220");
      }
      try (RawSmtpClient fourth = ring.client()) {
        expect(fourth.reply(), "421 4.7.0");
        assertTrue(fourth.closedByServer());
      }
      try (RawSmtpClient other = new RawSmtpClient(ring.address(), OTHER_HOST)) {
        expect(other.reply(), "220");
      }
      held.remove(0).close();
      Thread.sleep(200);
      try (RawSmtpClient again = ring.client()) {
        expect(again.reply(), "220");
      }
    } finally {
      for (RawSmtpClient c : held) {
        c.close();
      }
    }
  }

  @Test
  void aTlsClientHelloOnThePlainPortIsClosedAtOnce() throws Exception {
    ring = TestRing.submission(dir, UnaryOperator.identity(), Optional.empty());
    // A TLS 1.2 handshake record header and a body without any LF: a line reader would wait for
    // the rest of a "line" that never comes. (A real ClientHello carries random bytes that may
    // contain an LF by chance; this one never does.)
    byte[] hello = new byte[5 + 200];
    hello[0] = 0x16;
    hello[1] = 0x03;
    hello[2] = 0x01;
    hello[3] = 0x00;
    hello[4] = (byte) 200;
    hello[5] = 0x01; // ClientHello
    java.util.Arrays.fill(hello, 6, hello.length, (byte) 0x2a);
    try (Socket plain = new Socket()) {
      plain.connect(ring.address(), 5000);
      plain.setSoTimeout(3_000);
      java.io.InputStream in = plain.getInputStream();
      while (in.read() != '\n') {
        // the greeting
      }
      long start = System.nanoTime();
      plain.getOutputStream().write(hello);
      assertEquals(-1, in.read(), "closed without a reply");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 1000, "closed at once, not after a timeout: " + millis + " ms");
    }
    // And a real TLS client fails at once as well.
    SSLContext tls = TestTls.client();
    try (Socket plain = new Socket()) {
      plain.connect(ring.address(), 5000);
      plain.setSoTimeout(3_000);
      SSLSocket s =
          (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", ring.port(), true);
      assertThrows(IOException.class, s::startHandshake);
    }
  }

  /**
   * The target: 100 connections from one host sending a byte a second, and a good client
   * from another host is served (greeting to 250 for its message) within 1 s.
   */
  @Test
  void aGoodClientIsServedWithinOneSecondUnderA100ConnectionSlowloris() throws Exception {
    long millis = goodClientUnderSlowloris(i -> null);
    System.out.println(
        "SLOWLORIS-BENCH one attacking host: good client served in " + millis + " ms");
    assertTrue(millis < 1000, "served in " + millis + " ms");
  }

  /**
   * The same from 100 attacking addresses (127.0.0.10 to .109), so that the per-address limit does
   * not help: the table is full, and the session that has waited longest for a command line is
   * closed to make room (docs/adr/0046).
   */
  @Test
  void aGoodClientIsServedWithinOneSecondUnderASlowlorisFrom100Addresses() throws Exception {
    long millis = goodClientUnderSlowloris(i -> loopback(10 + i));
    System.out.println(
        "SLOWLORIS-BENCH 100 attacking hosts: good client served in " + millis + " ms");
    assertTrue(millis < 1000, "served in " + millis + " ms");
  }

  private long goodClientUnderSlowloris(java.util.function.IntFunction<InetAddress> source)
      throws Exception {
    ring = TestRing.gateway(dir, UnaryOperator.identity());
    InetSocketAddress address = ring.address();
    for (int i = 0; i < 100; i++) {
      Socket s = new Socket();
      InetAddress from = source.apply(i);
      try {
        if (from != null) {
          s.bind(new InetSocketAddress(from, 0));
        }
        s.connect(address, 5000);
      } catch (IOException refusedByBacklog) {
        s.close();
        continue;
      }
      attackers.add(s);
    }
    Thread trickler =
        new Thread(
            () -> {
              try {
                for (int round = 0; round < 4; round++) {
                  for (Socket s : attackers) {
                    try {
                      OutputStream out = s.getOutputStream();
                      out.write('E');
                      out.flush();
                    } catch (IOException closed) {
                      // refused or closed by the server
                    }
                  }
                  Thread.sleep(1000);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    trickler.start();
    Thread.sleep(1500);
    long start = System.nanoTime();
    try (RawSmtpClient good = new RawSmtpClient(address, OTHER_HOST)) {
      expect(good.reply(), "220");
      expect(good.command("EHLO good.example"), "250");
      expect(good.command("MAIL FROM:<carol@outside.example>"), "250");
      expect(good.command("RCPT TO:<bob@ring.example>"), "250");
      expect(good.command("DATA"), "354");
      expect(good.command("Subject: good\r\n\r\nserved\r\n."), "250 2.0.0");
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    trickler.join();
    assertEquals(1, ring.store.messagesFor(TestRing.BOB).size());
    return millis;
  }
}
