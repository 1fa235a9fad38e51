package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.Test;

/**
 * What the server asks of the backend, counted by the fixture as a remote store would count round
 * trips (ADR 0039): listing, flags, envelope, structure and header-field fetches read no message
 * bytes; a ranged read of a part reads only the bytes asked for; a resynchronisation after a change
 * asks for the change, not for the whole mailbox.
 */
class BackendCostTest {
  private static final String ATTACHMENT = "A".repeat(76) + "\r\n";

  /** multipart/mixed: part 1 is multipart/mixed of a 200 KB attachment (1.1) and text (1.2). */
  static String nested() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      text.append(String.format("line %04d of the text part, padded to a fixed width....%n", i));
    }
    String body = text.toString().replace("\n", "\r\n").replace("\r\r\n", "\r\n");
    return "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: Nested\r\n"
        + "Date: Fri, 2 Feb 2024 11:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
        + "--outer\r\nContent-Type: multipart/mixed; boundary=\"inner\"\r\n\r\n"
        + "--inner\r\nContent-Type: application/octet-stream\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n"
        + ATTACHMENT.repeat(2600)
        + "--inner\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + body
        + "--inner--\r\n\r\n--outer\r\nContent-Type: text/plain\r\n\r\nend\r\n--outer--\r\n";
  }

  private static RawClient selected(TestServer t) throws Exception {
    RawClient c = new RawClient(t.address());
    c.line();
    c.command("l", "LOGIN " + TestServer.USER + " " + TestServer.PASSWORD);
    c.command("s", "SELECT INBOX");
    return c;
  }

  @Test
  void listingFlagsEnvelopeAndStructureReadNoMessageBytes() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      t.deliver("INBOX", nested());
      try (RawClient c = selected(t)) {
        t.backend.resetCounters();
        List<String> out =
            c.command(
                "f",
                "FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE"
                    + " BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])");
        assertEquals("f OK FETCH completed", out.get(out.size() - 1));
        assertTrue(out.get(2).contains("\"Nested\""), out.get(2));
        c.command("l", "LIST \"\" *");
        c.command("x", "STATUS INBOX (MESSAGES UNSEEN UIDNEXT HIGHESTMODSEQ)");
        c.command("h", "UID SEARCH FROM bob SUBJECT nested UNSEEN");
        assertEquals(0, t.backend.bodyReads(), "message bytes read");
        assertEquals(1, t.backend.structureCalls(), "structure round trips for 3 messages");
      }
    }
  }

  @Test
  void aHeaderSearchAsksForStructuresInBatches() throws Exception {
    try (TestServer t = new TestServer()) {
      for (int i = 0; i < 600; i++) {
        t.deliver(
            "INBOX", TestServer.message("m" + i, "Bob <bob" + (i % 7) + "@example.org>", "x"));
      }
      try (RawClient c = selected(t)) {
        t.backend.resetCounters();
        List<String> out = c.command("s", "SEARCH FROM bob3 SUBJECT m1");
        assertTrue(out.get(0).startsWith("* SEARCH 11 "), out.get(0));
        assertEquals(3, t.backend.structureCalls(), "600 messages, 256 per call");
        c.command("t", "SORT (FROM) UTF-8 UNSEEN");
        c.command("u", "THREAD REFERENCES UTF-8 ALL");
        assertEquals(0, t.backend.bodyReads());
      }
    }
  }

  @Test
  void aRangedReadOfAPartReadsOnlyTheBytesAskedFor() throws Exception {
    try (TestServer t = new TestServer()) {
      String msg = nested();
      t.deliver("INBOX", msg);
      try (RawClient c = selected(t)) {
        t.backend.resetCounters();
        List<String> out = c.command("f", "FETCH 1 (BODY.PEEK[1.2]<0.4096>)");
        int textStart = msg.indexOf("line 0000");
        String expected = msg.substring(textStart, textStart + 4096);
        assertEquals("* 1 FETCH (BODY[1.2]<0> {4096}\r\n" + expected + ")", out.get(0));
        assertEquals(1, t.backend.bodyReads());
        assertEquals(4096, t.backend.bodyBytesRead(), "bytes read for a 4,096-byte range");
        t.backend.resetCounters();
        c.command("g", "FETCH 1 (BODY.PEEK[1.2]<4000.200>)");
        assertEquals(200, t.backend.bodyBytesRead());
        t.backend.resetCounters();
        out = c.command("h", "FETCH 1 (BODY.PEEK[2])");
        assertEquals("* 1 FETCH (BODY[2] {3}\r\nend)", out.get(0));
        assertEquals(3, t.backend.bodyBytesRead());
      }
    }
  }

  @Test
  void aResyncAfterAChangeAsksForTheChangeNotTheMailbox() throws Exception {
    try (TestServer t = new TestServer()) {
      for (int i = 0; i < 50; i++) {
        t.deliver("INBOX", TestServer.message("m" + i, "Bob <bob@example.org>", "x"));
      }
      try (RawClient c = selected(t)) {
        t.backend.resetCounters();
        t.backend.setFlags(TestServer.USER, "INBOX", 7, Set.of("\\Flagged"));
        t.deliver("INBOX", TestServer.message("new", "Bob <bob@example.org>", "y"));
        t.backend.expungeNow(TestServer.USER, "INBOX", 3);
        assertEquals(
            List.of(
                "* 3 EXPUNGE",
                "* 6 FETCH (UID 7 FLAGS (\\Flagged \\Recent))",
                "* 50 EXISTS",
                "* 50 RECENT",
                "n OK NOOP completed"),
            c.command("n", "NOOP"));
        c.send("i IDLE\r\n");
        assertEquals("+ idling", c.line());
        t.backend.setFlags(TestServer.USER, "INBOX", 8, Set.of("\\Seen"));
        assertEquals("* 7 FETCH (UID 8 FLAGS (\\Recent \\Seen))", c.line());
        c.send("DONE\r\n");
        assertEquals("i OK IDLE terminated", c.line());
        assertEquals(0, t.backend.snapshotCalls(), "whole-mailbox snapshots after SELECT");
        assertEquals(0, t.backend.bodyReads());
      }
    }
  }
}
