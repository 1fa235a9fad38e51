package org.epost.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.relay.OutboundQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the relay puts on the wire, as a recording smarthost sees it. The receiving side refuses
 * bare CR, bare LF and NUL (SmtpSmugglingTest), but a queue can still hold such bytes (written by
 * an older version, or a future code path), so the relay itself never sends a body that any reader
 * could end early: every line end is CRLF, every dot at a line start is doubled, no NUL, and 8-bit
 * content only where 8BITMIME was offered (docs/adr/0045, 0048).
 */
@Tag("hostile")
@Timeout(60)
class RelayEncodingTest {
  @TempDir Path dir;
  TestRing ring;
  RecordingSmarthost smarthost;

  @AfterEach
  void stop() throws Exception {
    if (ring != null) {
      ring.close();
    }
    if (smarthost != null) {
      smarthost.close();
    }
  }

  private static final List<String> FAKE_ENDS =
      List.of(
          "\n.\n",
          "\n.\r\n",
          "\r\n.\n",
          "\r.\r",
          "\r\n.\r",
          "\n.\r",
          "\r.\r\n",
          "\r.\n",
          "\r\n.\r\r\n",
          "\r\n\0.\r\n",
          "\r\n.\0\r\n",
          "\r\n.\r\n");

  private void queue(String messageId, byte[] message) throws Exception {
    OutboundQueue q = new OutboundQueue(dir.resolve("queue"), Clock.systemUTC(), 100);
    q.stage(
            new Envelope(
                "alice@ring.example",
                List.of("carol@outside.example"),
                messageId,
                Optional.empty(),
                "127.0.0.1"),
            new ByteArrayInputStream(message))
        .commit();
    q.close();
  }

  private void startRelay(boolean offer8bit) throws Exception {
    smarthost = new RecordingSmarthost(offer8bit);
    ring =
        TestRing.submission(
            dir,
            UnaryOperator.identity(),
            Optional.of(
                RelayConfig.of(dir.resolve("queue"), "127.0.0.1", smarthost.port())
                    .withTls(RelayConfig.TlsPolicy.NONE, null)
                    .withRetry(
                        Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofHours(1))));
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

  /** Where a byte sequence could look like an end of data to a lenient reader. */
  private static List<String> hazards(byte[] wire) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < wire.length; i++) {
      byte b = wire[i];
      if (b == '\r' && (i + 1 == wire.length || wire[i + 1] != '\n')) {
        found.add("bare CR at " + i);
      }
      if (b == '\n' && (i == 0 || wire[i - 1] != '\r')) {
        found.add("bare LF at " + i);
      }
      if (b == 0) {
        found.add("NUL at " + i);
      }
      boolean lineStart = i == 0 || wire[i - 1] == '\n' || wire[i - 1] == '\r';
      if (lineStart && b == '.' && (i + 1 == wire.length || wire[i + 1] != '.')) {
        found.add("unstuffed dot at a line start at " + i);
      }
      if (lineStart && b == '.' && i + 1 < wire.length && wire[i + 1] == '.') {
        i++; // a stuffed dot: skip its second dot
      }
    }
    return found;
  }

  @Test
  void everyFakeEndInAQueuedBodyLeavesAsContentOfOneMessage() throws Exception {
    for (int v = 0; v < FAKE_ENDS.size(); v++) {
      String body =
          "Subject: v"
              + v
              + "\r\nMessage-ID: <v"
              + v
              + "@ring.example>\r\n\r\nfirst-body"
              + FAKE_ENDS.get(v)
              + "MAIL FROM:<admin@ring.example>\r\nRCPT TO:<carol@outside.example>\r\nDATA\r\n"
              + "smuggled\r\n.\r\nlast line\r\n";
      queue("<v" + v + "@ring.example>", body.getBytes(StandardCharsets.UTF_8));
    }
    startRelay(true);
    await("all delivered", () -> smarthost.messages.size() == FAKE_ENDS.size());
    await("queue drained", () -> ring.proxy.queuedForRelay() == 0);
    for (byte[] wire : smarthost.messages) {
      String text = new String(wire, StandardCharsets.ISO_8859_1);
      assertEquals(List.of(), hazards(wire), "on the wire:\n" + text);
      assertTrue(text.endsWith("last line\r\n"), "the whole body in one message:\n" + text);
    }
    assertTrue(
        smarthost.commands.stream().noneMatch(c -> c.contains("admin@ring.example")),
        "no smuggled command reached the smarthost: " + smarthost.commands);
  }

  @Test
  void anEightBitTextBodyIsSentAsQuotedPrintableWhenTheSmarthostLacks8bitmime() throws Exception {
    String text =
        "Grüße aus Zürich, = Gleichung\r\nzweite Zeile mit Umlaut ä  \r\n.punkt\r\n"
            + "lang: "
            + "äöü ".repeat(40)
            + "\r\n"
            + "x".repeat(300)
            + "\r\nTab am Ende\t\r\n";
    byte[] message =
        ("Subject: umlaut\r\nMessage-ID: <qp@ring.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + text)
            .getBytes(StandardCharsets.UTF_8);
    queue("<qp@ring.example>", message);
    startRelay(false);
    await("delivered", () -> smarthost.messages.size() == 1);
    byte[] wire = smarthost.messages.get(0);
    for (byte b : wire) {
      assertTrue(
          b > 0 && b < 0x80,
          "7-bit only on the wire: " + new String(wire, StandardCharsets.ISO_8859_1));
    }
    for (String wireLine : new String(wire, StandardCharsets.US_ASCII).split("\r\n")) {
      assertTrue(
          wireLine.length() <= 77,
          "a quoted-printable line of at most 76 (+1 stuffed dot): " + wireLine);
    }
    assertTrue(
        smarthost.commands.stream().noneMatch(c -> c.contains("BODY=8BITMIME")),
        smarthost.commands.toString());
    String unstuffed = new String(wire, StandardCharsets.US_ASCII).replace("\r\n..", "\r\n.");
    MimeMessage parsed =
        new MimeMessage(
            Session.getInstance(new Properties()),
            new ByteArrayInputStream(unstuffed.getBytes(StandardCharsets.US_ASCII)));
    assertEquals("quoted-printable", parsed.getEncoding());
    assertEquals(text.replace("\r\n", "\n"), ((String) parsed.getContent()).replace("\r\n", "\n"));
  }

  @Test
  void anEightBitMultipartBodyIsRefusedWithADsnWhenTheSmarthostLacks8bitmime() throws Exception {
    byte[] message =
        ("Subject: parts\r\nMessage-ID: <mp@ring.example>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Grüße\r\n--b--\r\n")
            .getBytes(StandardCharsets.UTF_8);
    queue("<mp@ring.example>", message);
    startRelay(false);
    await("a DSN for alice", () -> ring.store.messagesFor(TestRing.ALICE).size() == 1);
    assertEquals(List.of(), smarthost.messages, "nothing sent as is");
    String dsn = ring.store.messagesFor(TestRing.ALICE).get(0);
    assertTrue(dsn.contains("Status: 5.6.3"), dsn);
    assertTrue(dsn.contains("8BITMIME"), "the DSN says why: " + dsn);
  }
}
