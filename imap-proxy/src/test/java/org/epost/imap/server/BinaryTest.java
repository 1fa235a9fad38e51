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
 * BINARY (RFC 3516) as a client sees it: decoded parts as literal8, BINARY.SIZE, partial ranges,
 * UNKNOWN-CTE, a part over the in-memory limit, and APPEND of a literal8 message with NUL bytes.
 */
class BinaryTest {
  private static final byte[] DATA = {'%', 'P', 'D', 'F', 0, 1, 2, '\r', '\n', 'x', 0};

  static String message(String secondPart) {
    return "From: a@x.org\r\nSubject: bin\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        + "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        + "caf=C3=A9 =3D ok=\r\n!\r\n"
        + "--b\r\n"
        + secondPart
        + "\r\n--b--\r\n";
  }

  private static RawClient selected(TestServer t) throws Exception {
    RawClient c = new RawClient(t.address());
    c.line();
    c.command("l", "LOGIN " + TestServer.USER + " " + TestServer.PASSWORD);
    c.command("s", "SELECT INBOX");
    return c;
  }

  @Test
  void decodesPartsAndAnnouncesLiteral8() throws Exception {
    String b64 = Base64.getMimeEncoder().encodeToString(DATA);
    try (TestServer t = new TestServer()) {
      t.deliver(
          "INBOX",
          message(
              "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                  + b64));
      t.deliver(
          "INBOX",
          message(
              "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin"));
      try (RawClient c = selected(t)) {
        assertEquals(
            List.of("* 1 FETCH (BINARY.SIZE[2] 11 BINARY.SIZE[1] 11)", "a OK FETCH completed"),
            c.command("a", "FETCH 1 (BINARY.SIZE[2] BINARY.SIZE[1])"));
        assertEquals(
            List.of(
                "* 1 FETCH (BINARY[2] ~{11}\r\n" + new String(DATA, StandardCharsets.UTF_8) + ")",
                "b OK FETCH completed"),
            c.command("b", "FETCH 1 (BINARY.PEEK[2])"));
        assertEquals(
            List.of("* 1 FETCH (BINARY[2]<2> ~{3}\r\nDF\0)", "c OK FETCH completed"),
            c.command("c", "FETCH 1 (BINARY.PEEK[2]<2.3>)"));
        // quoted-printable undone: "café = ok!" (soft line break joined)
        assertEquals(
            List.of("* 1 FETCH (BINARY[1] ~{11}\r\ncaf\u00e9 = ok!)", "d OK FETCH completed"),
            c.command("d", "FETCH 1 (BINARY.PEEK[1])"));
        assertEquals(
            List.of("e NO [UNKNOWN-CTE] Cannot decode the transfer encoding x-uuencode"),
            c.command("e", "FETCH 2 (BINARY.PEEK[2])"));
        assertEquals(
            List.of("f BAD A BINARY section is part numbers only"),
            c.command("f", "FETCH 1 (BINARY[1.HEADER])"));
        // BINARY without PEEK sets \Seen, as BODY[] does
        List<String> seen = c.command("g", "FETCH 1 (BINARY[2]<0.4>)");
        assertEquals("* 1 FETCH (BINARY[2]<0> ~{4}\r\n%PDF FLAGS (\\Recent \\Seen))", seen.get(0));
      }
    }
  }

  @Test
  void aLargePartIsStreamedNotHeld() throws Exception {
    byte[] big = new byte[3 * FetchCommand.BINARY_IN_MEMORY / 2];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    String b64 = Base64.getMimeEncoder().encodeToString(big);
    try (TestServer t = new TestServer()) {
      t.deliver(
          "INBOX",
          message(
              "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                  + b64));
      try (RawClient c = selected(t)) {
        t.backend.resetCounters();
        List<String> out = c.command("a", "FETCH 1 (BINARY.PEEK[2]<1000.16>)");
        byte[] expected = java.util.Arrays.copyOfRange(big, 1000, 1016);
        String head = "* 1 FETCH (BINARY[2]<1000> ~{16}\r\n";
        assertTrue(out.get(0).startsWith(head), out.get(0));
        byte[] got =
            out.get(0)
                .substring(head.length(), out.get(0).length() - 1)
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(
            new String(expected, StandardCharsets.UTF_8), new String(got, StandardCharsets.UTF_8));
        // counted once to announce the size, read again to send: only the part's bytes, twice
        assertEquals(2, t.backend.bodyReads());
        assertEquals(2L * b64.length(), t.backend.bodyBytesRead());
      }
    }
  }

  @Test
  void appendTakesALiteral8WithNulBytes() throws Exception {
    byte[] msg = "Subject: nul\r\n\r\na\0b\r\n".getBytes(StandardCharsets.UTF_8);
    try (TestServer t = new TestServer();
        RawClient c = selected(t)) {
      c.send("a APPEND INBOX ~{" + msg.length + "+}\r\n");
      c.sendBytes(msg);
      c.send("\r\n");
      List<String> out = c.until("a");
      assertTrue(
          out.get(out.size() - 1).matches("a OK \\[APPENDUID \\d+ 1\\] APPEND completed"),
          out.toString());
      assertEquals(
          List.of(
              "* 1 FETCH (BINARY[] ~{" + msg.length + "}\r\nSubject: nul\r\n\r\na\0b\r\n)",
              "f OK FETCH completed"),
          c.command("f", "FETCH 1 (BINARY.PEEK[])"));
    }
  }
}
