package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.Test;

/**
 * SEARCH BODY and TEXT see decoded text: transfer encodings, charsets and encoded-word headers
 * undone.
 */
class SearchDecodedTextTest {
  private static final String GRUESSE = "Grüße";

  private static void seed(TestServer t) {
    String b64 =
        Base64.getMimeEncoder()
            .encodeToString(
                ("Hallo Alice,\r\nviele " + GRUESSE + " aus Köln\r\n")
                    .getBytes(StandardCharsets.UTF_8));
    t.deliver(
        "INBOX",
        "From: bob@example.org\r\nSubject: base64\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64
            + "\r\n");
    t.deliver(
        "INBOX",
        "From: carol@example.org\r\nSubject: qp\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/alternative; boundary=\"B\"\r\n\r\n--B\r\n"
            + "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + "Herzliche Gr=FC=DFe, und eine sehr lange Zeile mit einem weichen Umbruch mitten=\r\n"
            + "drin\r\n--B--\r\n");
    t.deliver(
        "INBOX",
        "From: dave@example.org\r\nSubject: =?UTF-8?B?"
            + Base64.getEncoder()
                .encodeToString(("Liebe " + GRUESSE).getBytes(StandardCharsets.UTF_8))
            + "?=\r\nContent-Type: text/plain\r\n\r\nnothing to see here\r\n");
    t.deliver(
        "INBOX",
        "From: erin@example.org\r\nSubject: attachment\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"X\"\r\n\r\n--X\r\n"
            + "Content-Type: text/plain\r\n\r\nsee attachment\r\n--X\r\n"
            + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Base64.getEncoder().encodeToString(GRUESSE.getBytes(StandardCharsets.UTF_8))
            + "\r\n--X--\r\n");
  }

  private static RawClient selected(TestServer t) throws Exception {
    RawClient c = new RawClient(t.address());
    c.line();
    c.command("l", "login alice s3cret-pass");
    c.command("s", "select INBOX");
    return c;
  }

  /** Sends {@code prefix {n}}, waits for the continuation, then the UTF-8 literal. */
  private static List<String> searchWithLiteral(RawClient c, String tag, String prefix, String key)
      throws Exception {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    c.send(tag + " " + prefix + " {" + bytes.length + "}\r\n");
    String cont = c.line();
    assertTrue(cont.startsWith("+"), cont);
    c.sendBytes(bytes);
    c.send("\r\n");
    return c.until(tag);
  }

  @Test
  void bodyFindsBase64AndQuotedPrintableTextInItsCharset() throws Exception {
    try (TestServer t = new TestServer()) {
      seed(t);
      try (RawClient c = selected(t)) {
        assertEquals(
            List.of("* SEARCH 1 2", "a OK SEARCH completed"),
            searchWithLiteral(c, "a", "SEARCH CHARSET UTF-8 BODY", GRUESSE));
        assertEquals(
            List.of("* SEARCH 1 2", "b OK SEARCH completed"),
            searchWithLiteral(c, "b", "SEARCH CHARSET UTF-8 BODY", "GRÜßE"),
            "case-insensitive");
        assertEquals(
            List.of("* SEARCH 2", "c OK SEARCH completed"),
            c.command("c", "SEARCH BODY \"mittendrin\""),
            "soft line break joined");
        assertEquals(
            List.of("* SEARCH", "d OK SEARCH completed"),
            c.command("d", "SEARCH BODY \"Gr=FC\""),
            "the encoded form is not the text");
      }
    }
  }

  @Test
  void textAlsoFindsEncodedWordsInTheHeader() throws Exception {
    try (TestServer t = new TestServer()) {
      seed(t);
      try (RawClient c = selected(t)) {
        assertEquals(
            List.of("* SEARCH 1 2 3", "a OK SEARCH completed"),
            searchWithLiteral(c, "a", "SEARCH CHARSET UTF-8 TEXT", GRUESSE));
        assertEquals(
            List.of("* SEARCH 1 2", "b OK UID SEARCH completed"),
            searchWithLiteral(c, "b", "UID SEARCH CHARSET UTF-8 BODY", GRUESSE));
      }
    }
  }

  @Test
  void textPastThePerMessageReadLimitIsNotFound() throws Exception {
    try (TestServer t = new TestServer()) {
      String filler =
          ("x".repeat(76) + "\r\n")
              .repeat((int) (DecodedTextSearch.MAX_BYTES_PER_MESSAGE / 78) + 10);
      t.deliver(
          "INBOX",
          "Subject: big\r\nContent-Type: text/plain\r\n\r\nearlyword\r\n"
              + filler
              + "lateword\r\n");
      try (RawClient c = selected(t)) {
        assertEquals(
            List.of("* SEARCH 1", "a OK SEARCH completed"),
            c.command("a", "SEARCH BODY earlyword"));
        assertEquals(
            List.of("* SEARCH", "b OK SEARCH completed"), c.command("b", "SEARCH BODY lateword"));
        assertEquals(
            List.of("* 1 FETCH (UID 1)", "n OK FETCH completed"),
            c.command("n", "FETCH 1 (UID)"),
            "the connection stays usable");
      }
    }
  }
}
