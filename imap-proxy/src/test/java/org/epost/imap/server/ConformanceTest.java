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

  private static List<String> lines(String... l) {
    return List.of(l);
  }

  /** C: SEARCH SINCE 24-mar-2007. Month names are case-insensitive (RFC 3501 9, date-month). */
  @Test
  void searchDateMonthNamesAreCaseInsensitive() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient c = loggedIn(t)) {
        c.command("s", "SELECT INBOX");
        assertEquals(
            lines("* SEARCH 1 2", "a OK SEARCH completed"),
            c.command("a", "SEARCH SINCE 24-mar-2007"));
        assertEquals(
            lines("* SEARCH", "b OK SEARCH completed"), c.command("b", "SEARCH BEFORE 1-JAN-2000"));
      }
    }
  }

  /**
   * SENTON/SENTBEFORE/SENTSINCE compare the date written in the Date header, disregarding its time
   * and time zone (RFC 3501 6.4.4): 23:30 at -0800 on 1 February is 1 February, not the 2nd (UTC).
   */
  @Test
  void sentDatesCompareTheDateHeadersOwnDate() throws Exception {
    try (TestServer t = new TestServer()) {
      t.deliver(
          "INBOX",
          "From: a@example.org\r\nSubject: late\r\nDate: Thu, 1 Feb 2024 23:30:00 -0800\r\n\r\nx\r\n");
      try (RawClient c = loggedIn(t)) {
        c.command("s", "SELECT INBOX");
        assertEquals(
            lines("* SEARCH 1", "a OK SEARCH completed"),
            c.command("a", "SEARCH SENTON 1-Feb-2024"));
        assertEquals(
            lines("* SEARCH 1", "b OK SEARCH completed"),
            c.command("b", "SEARCH SENTBEFORE 2-Feb-2024"));
        assertEquals(
            lines("* SEARCH", "c OK SEARCH completed"),
            c.command("c", "SEARCH SENTSINCE 2-Feb-2024"));
      }
    }
  }

  /**
   * A text part whose body is {@code hello} then the boundary: the CRLF before the boundary belongs
   * to the boundary, so the part is 5 bytes and 1 line.
   */
  @Test
  void bodystructureCountsTheLinesOfAPartWithoutItsBoundaryCrlf() throws Exception {
    try (TestServer t = new TestServer()) {
      t.deliver(
          "INBOX",
          "From: a@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
              + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
              + "--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\n"
              + "--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nhello\r\nworld\r\n\r\n--b--\r\n");
      try (RawClient c = loggedIn(t)) {
        c.command("s", "SELECT INBOX");
        assertEquals(
            lines(
                "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL"
                    + " \"7BIT\" 5 1 NIL NIL NIL NIL)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\")"
                    + " NIL NIL \"7BIT\" 14 2 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"b\") NIL"
                    + " NIL NIL))",
                "f OK FETCH completed"),
            c.command("f", "FETCH 1 BODYSTRUCTURE"));
      }
    }
  }

  /**
   * ENVELOPE: {@code user@domain (Real Name)} names Real Name; a missing Sender and an empty
   * Reply-To take the From value (RFC 3501 7.4.2).
   */
  @Test
  void envelopeTakesTheCommentAsNameAndFromForMissingSenderAndReplyTo() throws Exception {
    try (TestServer t = new TestServer()) {
      t.deliver(
          "INBOX",
          "From: user@example.org (Real Name)\r\nReply-To:\r\nSubject: s\r\n"
              + "Date: Thu, 1 Feb 2024 10:00:00 +0000\r\n\r\nx\r\n");
      try (RawClient c = loggedIn(t)) {
        c.command("s", "SELECT INBOX");
        String from = "((\"Real Name\" NIL \"user\" \"example.org\"))";
        assertEquals(
            lines(
                "* 1 FETCH (ENVELOPE (\"Thu, 1 Feb 2024 10:00:00 +0000\" \"s\" "
                    + from
                    + " "
                    + from
                    + " "
                    + from
                    + " NIL NIL NIL NIL NIL))",
                "f OK FETCH completed"),
            c.command("f", "FETCH 1 ENVELOPE"));
      }
    }
  }

  /** SEARCH FROM matches an address written with comments inside it. */
  @Test
  void searchFromMatchesAnAddressWrittenWithComments() throws Exception {
    try (TestServer t = new TestServer()) {
      t.deliver(
          "INBOX",
          "From: Some One <user (comment)@ (comment) domain.org>\r\nTo: x@example.org\r\n"
              + "Subject: s\r\n\r\nx\r\n");
      try (RawClient c = loggedIn(t)) {
        c.command("s", "SELECT INBOX");
        assertEquals(
            lines("* SEARCH 1", "a OK SEARCH completed"),
            c.command("a", "SEARCH FROM user@domain.org"));
        assertEquals(
            lines("* SEARCH 1", "b OK SEARCH completed"),
            c.command("b", "SEARCH FROM \"Some One\""));
      }
    }
  }

  /**
   * RFC 3501 6.3.9: LSUB with % shows the unsubscribed parent of a subscribed mailbox as \Noselect;
   * 6.3.8: LIST with % shows a parent that does not exist but has children as \Noselect.
   */
  @Test
  void percentListingsShowParentsAsNoselect() throws Exception {
    try (TestServer t = new TestServer();
        RawClient c = loggedIn(t)) {
      c.command("c", "CREATE Work/2024");
      c.command("s", "SUBSCRIBE Work/2024");
      assertEquals(
          lines("* LSUB (\\Noselect) \"/\" Work", "l OK LSUB completed"),
          c.command("l", "LSUB \"\" Wo%"));
      c.command("d", "DELETE Work");
      assertEquals(
          lines("* LIST (\\Noselect \\HasChildren) \"/\" Work", "m OK LIST completed"),
          c.command("m", "LIST \"\" Wo%"));
    }
  }

  /**
   * A keyword used for the first time in the session is announced with FLAGS and PERMANENTFLAGS
   * before a FETCH shows it (RFC 3501 7.2.6), whoever set it.
   */
  @Test
  void aNewKeywordIsAnnouncedBeforeItAppearsInAFetch() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient c = loggedIn(t);
          RawClient other = loggedIn(t)) {
        c.command("s", "SELECT INBOX");
        assertEquals(
            lines(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)]"
                    + " Flags permitted",
                "* 1 FETCH (FLAGS ($Work \\Recent))",
                "a OK STORE completed"),
            c.command("a", "STORE 1 +FLAGS ($Work)"));
        other.command("s", "SELECT INBOX");
        other.command("o", "STORE 2 +FLAGS.SILENT ($Later)");
        assertEquals(
            lines(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Later $Work)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Later $Work"
                    + " \\*)] Flags permitted",
                "* 2 FETCH (UID 2 FLAGS ($Later \\Recent))",
                "n OK NOOP completed"),
            c.command("n", "NOOP"));
      }
    }
  }

  /**
   * Mailbox names are checked before the backend sees them: 5,000 levels, control characters and
   * broken modified UTF-7 are refused and create nothing.
   */
  @Test
  void invalidMailboxNamesAreRefusedBeforeTheBackend() throws Exception {
    try (TestServer t = new TestServer();
        RawClient c = loggedIn(t)) {
      int before = t.backend.mailboxNames(TestServer.USER).size();
      assertEquals(
          lines("a NO [CANNOT] Mailbox name has more than 32 levels"),
          c.command("a", "CREATE " + "x/".repeat(5000) + "x"));
      assertEquals(
          lines("b NO [CANNOT] Mailbox name contains a control character"),
          c.command("b", "CREATE {3+}\r\na\u0001b"));
      assertEquals(
          lines("c NO [CANNOT] Mailbox name is not valid modified UTF-7 (RFC 3501 5.1.3)"),
          c.command("c", "CREATE &Jjo"));
      assertEquals(
          lines("d NO [CANNOT] Mailbox name is not valid modified UTF-7 (RFC 3501 5.1.3)"),
          c.command("d", "SELECT &AGE-"));
      assertEquals(before, t.backend.mailboxNames(TestServer.USER).size());
    }
  }

  /** Modified UTF-7 names reach the backend as Unicode and go back to the client encoded. */
  @Test
  void modifiedUtf7NamesDecodeAndEncode() throws Exception {
    try (TestServer t = new TestServer();
        RawClient c = loggedIn(t)) {
      assertEquals(lines("a OK CREATE completed"), c.command("a", "CREATE &ZeVnLIqe-/Caf&AOk-"));
      assertTrue(t.backend.mailboxNames(TestServer.USER).contains("日本語/Café"));
      assertEquals(
          lines(
              "* LIST (\\HasChildren) \"/\" &ZeVnLIqe-",
              "* LIST (\\HasNoChildren) \"/\" &ZeVnLIqe-/Caf&AOk-",
              "l OK LIST completed"),
          c.command("l", "LIST \"\" &ZeVnLIqe-*"));
      assertEquals(lines("b OK CREATE completed"), c.command("b", "CREATE a&-b"));
      assertTrue(t.backend.mailboxNames(TestServer.USER).contains("a&b"));
      assertEquals(
          lines("* STATUS a&-b (MESSAGES 0)", "s OK STATUS completed"),
          c.command("s", "STATUS a&-b (MESSAGES)"));
    }
  }

  /**
   * SEARCH on a message expunged by another session while the search reads it: the message does not
   * match (it is gone), the others are searched, and the EXPUNGE is reported at the next NOOP.
   */
  @Test
  void searchSkipsAMessageExpungedWhileItIsRead() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient c = loggedIn(t)) {
        c.command("s", "SELECT INBOX");
        t.backend.beforeNextOpen(() -> t.backend.expungeNow(TestServer.USER, "INBOX", 1));
        assertEquals(
            List.of("* SEARCH 2", "a OK SEARCH completed"),
            c.command("a", "SEARCH FROM example.org"));
        assertEquals(List.of("* 1 EXPUNGE", "n OK NOOP completed"), c.command("n", "NOOP"));
      }
    }
  }
}
