package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CONTEXT=SORT (RFC 5267) as a client sees it: SORT RETURN (UPDATE) keeps the sorted result and
 * tells the client of each message that joins or leaves it with its position in sort order ({@code
 * ADDTO (position uid ...)}, {@code REMOVEFROM (position uid ...)}, pairs applied in order, section
 * 4.3), PARTIAL in sort order (section 4.4), CANCELUPDATE, and the kept-search limit. The RFC's
 * examples (sections 4.3 and 4.4) adapted to the seven messages of {@link SortThreadTest}: by
 * SUBJECT they sort 2 3 5 1 4 6 7, by DATE 2 3 4 5 1 6 7.
 */
class ContextSortTest {
  private TestServer t;
  private RawClient c;

  private void add(int n, String headers) {
    String msg = headers + "\r\nbody " + n + "\r\n";
    t.backend.deliver(
        TestServer.USER,
        "INBOX",
        msg.getBytes(StandardCharsets.UTF_8),
        Set.of(),
        Instant.parse("2024-03-10T00:00:00Z").minusSeconds(86400L * n));
  }

  @BeforeEach
  void mailbox() throws Exception {
    t = new TestServer();
    add(
        1,
        "From: Zed <zed@x.org>\r\nSubject: Re: Lunch\r\nDate: Mon, 5 Feb 2024 10:00:00 +0000\r\n");
    add(2, "From: alice@x.org\r\nSubject: Budget\r\nDate: Thu, 1 Feb 2024 09:00:00 +0100\r\n");
    add(
        3,
        "From: bob@x.org\r\nSubject: [team] Re: Budget\r\nDate: Fri, 2 Feb 2024 10:00:00 +0000\r\n");
    add(4, "From: carol@x.org\r\nSubject: LUNCH\r\nDate: Sat, 3 Feb 2024 10:00:00 +0000\r\n");
    add(
        5,
        "From: Bob <bob@x.org>\r\nSubject: Fwd: Budget (fwd)\r\nDate: Sun, 4 Feb 2024 10:00:00 +0000\r\n");
    add(6, "From: emile@x.org\r\nSubject: Trip\r\nDate: Tue, 6 Feb 2024 10:00:00 +0000\r\n");
    add(7, "From: dan@x.org\r\nSubject: re: trip\r\n");
    c = new RawClient(t.address());
    c.line();
    c.command("l", "LOGIN " + TestServer.USER + " " + TestServer.PASSWORD);
    c.command("s", "SELECT INBOX");
  }

  @AfterEach
  void close() throws Exception {
    c.close();
    t.close();
  }

  private void expect(String tag, String command, String... response) throws Exception {
    assertEquals(List.of(response), c.command(tag, command));
  }

  @Test
  void advertisedAndAccepted() throws Exception {
    // without CONTEXT=SORT: no capability, and SORT RETURN (UPDATE) was a BAD
    assertTrue(c.command("c", "CAPABILITY").get(0).contains(" CONTEXT=SORT "));
    expect(
        "a",
        "SORT RETURN (UPDATE COUNT) (SUBJECT) UTF-8 ALL",
        "* ESEARCH (TAG \"a\") COUNT 7",
        "a OK SORT completed");
    expect("x", "CANCELUPDATE \"a\"", "x OK CANCELUPDATE completed");
    expect("y", "CANCELUPDATE \"a\"", "y NO Unknown tag");
  }

  @Test
  void partialIsInSortOrder() throws Exception {
    // RFC 5267 4.4: positions 2 to 4 of the sorted result, not of the mailbox
    expect(
        "p",
        "SORT RETURN (PARTIAL 2:4) (SUBJECT) UTF-8 ALL",
        "* ESEARCH (TAG \"p\") PARTIAL (2:4 3,5,1)",
        "p OK SORT completed");
    expect(
        "q",
        "UID SORT RETURN (COUNT PARTIAL 6:9 CONTEXT) (REVERSE DATE) UTF-8 ALL",
        "* ESEARCH (TAG \"q\") UID COUNT 7 PARTIAL (6:9 3,2)",
        "q OK UID SORT completed");
    expect(
        "r",
        "SORT RETURN (PARTIAL 8:9) (SUBJECT) UTF-8 ALL",
        "* ESEARCH (TAG \"r\") PARTIAL (8:9 NIL)",
        "r OK SORT completed");
    expect("b", "SORT RETURN (PARTIAL 0:2) (SUBJECT) UTF-8 ALL", "b BAD Invalid PARTIAL range 0:2");
  }

  @Test
  void keptSortsMoveWithFlagsArrivalsAndExpunges() throws Exception {
    expect(
        "a",
        "UID SORT RETURN (UPDATE ALL) (SUBJECT) UTF-8 UNSEEN",
        "* ESEARCH (TAG \"a\") UID ALL 2:3,5,1,4,6:7",
        "a OK UID SORT completed");
    expect(
        "b",
        "SORT RETURN (UPDATE PARTIAL 1:3) (REVERSE DATE) UTF-8 UNSEEN",
        "* ESEARCH (TAG \"b\") PARTIAL (1:3 7,6,1)",
        "b OK SORT completed");
    // another session reads 3 and 4: each leaves at its position, the second counted after the
    // first has gone (a: 2 3 5 1 4 6 7 -> 2 5 1 6 7; b: 7 6 1 5 4 3 2 -> 7 6 1 5 2)
    t.backend.setFlags(TestServer.USER, "INBOX", 3, Set.of("\\Seen"));
    t.backend.setFlags(TestServer.USER, "INBOX", 4, Set.of("\\Seen"));
    expect(
        "n",
        "NOOP",
        "* 3 FETCH (UID 3 FLAGS (\\Recent \\Seen))",
        "* 4 FETCH (UID 4 FLAGS (\\Recent \\Seen))",
        "* ESEARCH (TAG \"a\") UID REMOVEFROM (2 3 4 4)",
        "* ESEARCH (TAG \"b\") REMOVEFROM (5 4 5 3)",
        "n OK NOOP completed");
    // this session marks 3 unread again: it comes back where it sorts
    expect(
        "f",
        "STORE 3 -FLAGS (\\Seen)",
        "* 3 FETCH (FLAGS (\\Recent))",
        "* ESEARCH (TAG \"a\") UID ADDTO (2 3)",
        "* ESEARCH (TAG \"b\") ADDTO (5 3)",
        "f OK STORE completed");
    // a delivery, announced after the EXISTS: first by subject, between 5 and 3 by date
    add(8, "From: fay@x.org\r\nSubject: Apples\r\nDate: Sat, 3 Feb 2024 12:00:00 +0000\r\n");
    expect(
        "n",
        "NOOP",
        "* 8 EXISTS",
        "* 8 RECENT",
        "* ESEARCH (TAG \"a\") UID ADDTO (1 8)",
        "* ESEARCH (TAG \"b\") ADDTO (5 8)",
        "n OK NOOP completed");
    // an expunge: removed at its position before the EXPUNGE, numbered as the client still has it
    // (a: 8 2 3 5 1 6 7; b: 7 6 1 5 8 3 2)
    t.backend.expungeNow(TestServer.USER, "INBOX", 1);
    expect(
        "n",
        "NOOP",
        "* ESEARCH (TAG \"a\") UID REMOVEFROM (5 1)",
        "* ESEARCH (TAG \"b\") REMOVEFROM (3 1)",
        "* 1 EXPUNGE",
        "n OK NOOP completed");
    // the kept result is what a fresh sort answers
    expect(
        "v",
        "UID SORT RETURN (ALL) (SUBJECT) UTF-8 UNSEEN",
        "* ESEARCH (TAG \"v\") UID ALL 8,2:3,5:7",
        "v OK UID SORT completed");
    expect("x", "CANCELUPDATE \"a\" \"b\"", "x OK CANCELUPDATE completed");
    t.backend.setFlags(TestServer.USER, "INBOX", 2, Set.of("\\Seen"));
    expect("n", "NOOP", "* 1 FETCH (UID 2 FLAGS (\\Recent \\Seen))", "n OK NOOP completed");
  }

  @Test
  void sortsAndSearchesShareTheLimit() throws Exception {
    c.command("a", "SEARCH RETURN (UPDATE) UNSEEN");
    for (int i = 2; i <= LiveSearches.MAX; i++) {
      c.command("k" + i, "SORT RETURN (UPDATE) (ARRIVAL) UTF-8 ALL");
    }
    expect(
        "z",
        "SORT RETURN (MIN UPDATE) (SUBJECT) UTF-8 ALL",
        "* ESEARCH (TAG \"z\") MIN 2",
        "* NO [NOUPDATE \"z\"] At most 8 searches are kept up to date",
        "z OK SORT completed");
    // a sort by ARRIVAL needs no headers: the new message has the oldest internal date of all
    // (each test message is dated one day earlier than the one before), so it goes first
    add(8, "Subject: x\r\n");
    List<String> got = c.command("n", "NOOP");
    assertEquals("* ESEARCH (TAG \"k2\") ADDTO (1 8)", got.get(3));
  }
}
