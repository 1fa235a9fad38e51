package org.epost.smtp;

import static org.epost.smtp.RawSmtpClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SMTP smuggling (SEC Consult, December 2023, and the 2024 follow-ups): a body that hides a second
 * transaction behind an end-of-data sequence that some servers accept and others do not. DATA ends
 * only at CRLF.CRLF here, and a body with a bare CR, a bare LF or a NUL is refused as a whole with
 * one reply, after the real end (docs/adr/0045). Every variant on the submission port and on the
 * gateway; the relay side is {@code RelayEncodingTest}.
 */
@Tag("hostile")
@Timeout(60)
class SmtpSmugglingTest {
  @TempDir Path dir;
  TestRing ring;

  @AfterEach
  void stop() {
    if (ring != null) {
      ring.close();
    }
  }

  /** The fake end-of-data sequences from the write-ups, by name. */
  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("LF.LF", "\n.\n"),
        Arguments.of("LF.CRLF", "\n.\r\n"),
        Arguments.of("CRLF.LF", "\r\n.\n"),
        Arguments.of("CR.CR", "\r.\r"),
        Arguments.of("CRLF.CR", "\r\n.\r"),
        Arguments.of("LF.CR", "\n.\r"),
        Arguments.of("CR.CRLF", "\r.\r\n"),
        Arguments.of("CR.LF", "\r.\n"),
        Arguments.of("CRLF.CRCRLF", "\r\n.\r\r\n"),
        Arguments.of("CRLF NUL.CRLF", "\r\n\0.\r\n"),
        Arguments.of("CRLF.NUL CRLF", "\r\n.\0\r\n"),
        Arguments.of("CRLF NUL LF.CRLF", "\r\n\0\n.\r\n"));
  }

  private static String smuggled(String fakeEnd, String forgedSender) {
    return "Subject: first\r\n\r\nfirst-body"
        + fakeEnd
        + "MAIL FROM:<"
        + forgedSender
        + ">\r\nRCPT TO:<bob@ring.example>\r\nDATA\r\nSubject: smuggled\r\n\r\nsmuggled-body\r\n.\r\n";
  }

  /**
   * The client observes exactly one reply for the whole body (a refusal), then the answer to its
   * next command: the smuggled MAIL/RCPT/DATA were never taken as commands. Nothing is stored.
   */
  private void assertOneRefusalAndNothingStored(RawSmtpClient c, String name, String fakeEnd)
      throws Exception {
    c.sendRaw(smuggled(fakeEnd, "admin@ring.example").getBytes(StandardCharsets.UTF_8));
    c.sendRaw("NOOP\r\n");
    String first = c.reply();
    String second = c.reply();
    assertTrue(
        first.startsWith("554 5.6.11") || first.startsWith("554 5.6.0"),
        name + ": the body is refused as a whole, got " + first + " then " + second);
    assertTrue(
        second.startsWith("250 2.0.0 Ok"),
        name + ": the next reply answers NOOP (no smuggled command ran), got " + second);
    assertEquals(List.of(), ring.store.allMessages(), name + ": nothing stored");
  }

  @ParameterizedTest(name = "submission {0}")
  @MethodSource("variants")
  void submissionRefusesEveryVariantAsOneMessage(String name, String fakeEnd) throws Exception {
    ring = TestRing.submission(dir, UnaryOperator.identity(), Optional.empty());
    try (RawSmtpClient c = ring.client()) {
      c.login(TestRing.ALICE, TestRing.PASSWORD);
      expect(c.command("MAIL FROM:<alice@ring.example>"), "250");
      expect(c.command("RCPT TO:<bob@ring.example>"), "250");
      expect(c.command("DATA"), "354");
      assertOneRefusalAndNothingStored(c, name, fakeEnd);
    }
  }

  @ParameterizedTest(name = "gateway {0}")
  @MethodSource("variants")
  void gatewayRefusesEveryVariantAsOneMessage(String name, String fakeEnd) throws Exception {
    ring = TestRing.gateway(dir, UnaryOperator.identity());
    try (RawSmtpClient c = ring.client()) {
      c.reply();
      expect(c.command("EHLO mta.outside.example"), "250");
      expect(c.command("MAIL FROM:<carol@outside.example>"), "250");
      expect(c.command("RCPT TO:<bob@ring.example>"), "250");
      expect(c.command("DATA"), "354");
      assertOneRefusalAndNothingStored(c, name, fakeEnd);
    }
  }

  @ParameterizedTest(name = "gateway BDAT {0}")
  @MethodSource("variants")
  void gatewayRefusesEveryVariantInsideBdatChunks(String name, String fakeEnd) throws Exception {
    ring = TestRing.gateway(dir, UnaryOperator.identity());
    try (RawSmtpClient c = ring.client()) {
      c.reply();
      expect(c.command("EHLO mta.outside.example"), "250");
      expect(c.command("MAIL FROM:<carol@outside.example>"), "250");
      expect(c.command("RCPT TO:<bob@ring.example>"), "250");
      byte[] body = smuggled(fakeEnd, "admin@ring.example").getBytes(StandardCharsets.UTF_8);
      // Split inside the fake end so that a check per chunk would miss a CR at a chunk's end.
      int cut = "Subject: first\r\n\r\nfirst-body".length() + 1;
      c.sendRaw("BDAT " + cut + "\r\n");
      c.sendRaw(java.util.Arrays.copyOfRange(body, 0, cut));
      expect(c.reply(), "250");
      c.sendRaw("BDAT " + (body.length - cut) + " LAST\r\n");
      c.sendRaw(java.util.Arrays.copyOfRange(body, cut, body.length));
      c.sendRaw("NOOP\r\n");
      String first = c.reply();
      String second = c.reply();
      assertTrue(
          first.startsWith("554 5.6.11") || first.startsWith("554 5.6.0"),
          name + ": refused, got " + first);
      expect(second, "250 2.0.0 Ok");
      assertEquals(List.of(), ring.store.allMessages(), name + ": nothing stored");
    }
  }

  @Test
  void onlyCrLfDotCrLfEndsDataAndALoneDotLineInsideIsKeptAsContent() throws Exception {
    // The real terminator inside a BDAT chunk is content: one message, the dot line kept.
    ring = TestRing.gateway(dir, UnaryOperator.identity());
    try (RawSmtpClient c = ring.client()) {
      c.reply();
      expect(c.command("EHLO mta.outside.example"), "250");
      expect(c.command("MAIL FROM:<carol@outside.example>"), "250");
      expect(c.command("RCPT TO:<bob@ring.example>"), "250");
      String body = smuggled("\r\n.\r\n", "admin@ring.example");
      c.sendRaw("BDAT " + body.length() + " LAST\r\n" + body);
      expect(c.reply(), "250 2.0.0");
      expect(c.command("NOOP"), "250 2.0.0 Ok");
    }
    List<String> stored = ring.store.messagesFor(TestRing.BOB);
    assertEquals(1, stored.size(), "one message");
    assertTrue(stored.get(0).contains("first-body\r\n.\r\nMAIL FROM:<admin@ring.example>"));
  }

  @Test
  void aDotAtTheVeryStartOfDataEndsAnEmptyMessageAndStuffedDotsAreRemoved() throws Exception {
    ring = TestRing.gateway(dir, UnaryOperator.identity());
    try (RawSmtpClient c = ring.client()) {
      c.reply();
      expect(c.command("EHLO mta.outside.example"), "250");
      expect(c.command("MAIL FROM:<carol@outside.example>"), "250");
      expect(c.command("RCPT TO:<bob@ring.example>"), "250");
      expect(c.command("DATA"), "354");
      expect(c.command("Subject: s\r\n\r\n..\r\n..x\r\n."), "250 2.0.0");
    }
    String stored = ring.store.messagesFor(TestRing.BOB).get(0);
    assertTrue(stored.endsWith("\r\n\r\n.\r\n.x\r\n"), stored);
  }
}
