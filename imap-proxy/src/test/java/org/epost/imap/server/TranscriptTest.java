package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays scripted {@code C:}/{@code S:} transcripts against a real server. {@code S:} lines must
 * match exactly; {@code S~} lines are regular expressions. Each transcript starts with two messages
 * in INBOX (see {@link #seed}).
 */
public class TranscriptTest {

  public static void seedMessages(TestServer t) {
    seed(t);
  }

  static void seed(TestServer t) {
    t.deliver(
        "INBOX",
        TestServer.message("Hello there", "Bob <bob@example.org>", "First body line\r\nsecond"));
    t.deliver(
        "INBOX",
        "From: Carol <carol@example.org>\r\nTo: alice@example.org\r\nSubject: Report\r\n"
            + "Date: Fri, 2 Feb 2024 11:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npreamble\r\n--XX\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n\r\nSee attached.\r\n--XX\r\n"
            + "Content-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
            + "Content-Disposition: attachment; filename=\"r.pdf\"\r\n\r\nJVBERi0xLjQK\r\n--XX--\r\n");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rfc3501-section8.txt",
        "pipelining-and-errors.txt",
        "uidplus-move-idle.txt",
        "mailbox-management.txt",
        "imaplib-captured.txt",
        "condstore-qresync.txt",
        "esearch.txt",
        "list-extended.txt",
        "multiappend.txt",
        "utf8-accept.txt",
        "catenate.txt"
      })
  void replays(String name) throws Exception {
    List<String> script = load(name);
    try (TestServer t = new TestServer();
        RawClient c = new RawClient(t.address())) {
      seed(t);
      List<String> expected = new ArrayList<>();
      for (String line : script) {
        if (line.startsWith("C: ")) {
          check(c, expected, name);
          c.send(line.substring(3) + "\r\n");
        } else if (line.startsWith("S: ") || line.startsWith("S~ ")) {
          expected.add(line);
        } else if (line.startsWith("!deliver ")) {
          check(c, expected, name);
          t.deliver(
              "INBOX", TestServer.message(line.substring(9), "Dan <dan@example.org>", "pushed"));
        }
      }
      check(c, expected, name);
    }
  }

  private static void check(RawClient c, List<String> expected, String name) throws IOException {
    for (String e : expected) {
      String got = c.line();
      if (e.startsWith("S: ")) {
        assertEquals(e.substring(3), got, name);
      } else {
        assertTrue(
            got != null && got.matches(e.substring(3)),
            name + ": expected /" + e.substring(3) + "/ but got " + got);
      }
    }
    expected.clear();
  }

  private static List<String> load(String name) throws IOException {
    try (InputStream in = TranscriptTest.class.getResourceAsStream("/transcripts/" + name)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>();
      StringBuilder pending = null;
      for (String l : text.split("\n")) {
        if (l.startsWith("  ") && pending != null) {
          // continuation of a multi-line literal response: joined with CRLF
          pending.append("\r\n").append(l.substring(2));
          out.set(out.size() - 1, pending.toString());
          continue;
        }
        if (l.startsWith("#") || l.isBlank()) {
          continue;
        }
        pending = new StringBuilder(l);
        out.add(l);
      }
      return out;
    }
  }
}
