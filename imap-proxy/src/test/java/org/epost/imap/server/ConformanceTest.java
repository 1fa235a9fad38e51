package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.Test;

/**
 * The defects an independent compliance run found (issue 16), each as the exchange a client sees:
 * {@code C:} what it sends, {@code S:} the exact lines it must get back.
 */
class ConformanceTest {

  static RawClient loggedIn(TestServer t) throws Exception {
    RawClient c = new RawClient(t.address());
    assertTrue(c.line().startsWith("* OK "));
    c.command("l", "login alice s3cret-pass");
    return c;
  }

  /**
   * RFC 2180 4.1: a message expunged by another session while this one fetches its body. The
   * literal, once announced, must be delivered in full; here the message is gone before its bytes
   * are read, so nothing about it may be announced. The other messages are still served and the
   * command ends {@code NO [EXPUNGEISSUED]} (RFC 5530); the expunge is reported at the next NOOP.
   */
  @Test
  void aLiteralIsNeverAnnouncedForAMessageExpungedDuringTheFetch() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient c = loggedIn(t)) {
        c.command("s", "SELECT INBOX");
        c.command("b", "FETCH 1:2 BODYSTRUCTURE");
        t.backend.beforeNextOpen(() -> t.backend.expungeNow(TestServer.USER, "INBOX", 1));
        String whole =
            new String(t.backend.content(TestServer.USER, "INBOX", 2), StandardCharsets.UTF_8);
        String text = whole.substring(whole.indexOf("\r\n\r\n") + 4);
        // before the fix the client got "* 1 FETCH (BODY[TEXT] {26}" and then a tagged NO in place
        // of the 26 bytes: it read the NO line as message text and lost its place in the stream
        assertEquals(
            List.of(
                "* 2 FETCH (BODY[TEXT] {" + text.length() + "}\r\n" + text + ")",
                "f NO [EXPUNGEISSUED] Some of the requested messages were expunged"),
            c.command("f", "FETCH 1:2 (BODY.PEEK[TEXT])"));
        assertEquals(List.of("* 1 EXPUNGE", "n OK NOOP completed"), c.command("n", "NOOP"));
        assertEquals(
            List.of("* 1 FETCH (UID 2)", "u OK FETCH completed"), c.command("u", "FETCH 1 UID"));
      }
    }
  }

  /**
   * C: a SEARCH line of 70,000 bytes and, in the same write, two more commands. The long line is
   * refused; the commands after it must still be answered.
   */
  @Test
  void anOverlongLineDoesNotSwallowThePipelinedCommandsAfterIt() throws Exception {
    try (TestServer t = new TestServer();
        RawClient c = loggedIn(t)) {
      c.send("big SEARCH SUBJECT " + "a".repeat(70_000) + "\r\nn1 NOOP\r\nn2 NOOP\r\n");
      assertEquals("big BAD Command line too long (limit 65536 bytes)", c.line());
      assertEquals("n1 OK NOOP completed", c.line());
      assertEquals("n2 OK NOOP completed", c.line());
    }
  }
}
