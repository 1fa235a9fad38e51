package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * SORT and THREAD (RFC 5256), SORT=DISPLAY (RFC 5957) and ESORT (RFC 5267) as a client sees them,
 * on seven messages chosen to exercise base subjects (Re:, Fwd:, blobs, "(fwd)", case), sent dates
 * in other zones and a missing Date, display names, and a thread whose first message is missing.
 */
class SortThreadTest {
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
        "From: Zed <zed@x.org>\r\nTo: b@x.org\r\nSubject: Re: Lunch\r\n"
            + "Date: Mon, 5 Feb 2024 10:00:00 +0000\r\nMessage-ID: <a2@x>\r\nIn-Reply-To: <a1@x>\r\n");
    add(
        2,
        "From: alice <Alice@x.org>\r\nTo: Zoe <z@x.org>\r\nSubject: Budget\r\n"
            + "Date: Thu, 1 Feb 2024 09:00:00 +0100\r\nMessage-ID: <b1@x>\r\n");
    add(
        3,
        "From: bob@x.org\r\nTo: a@x.org\r\nSubject: [team] Re: Budget\r\n"
            + "Date: Fri, 2 Feb 2024 10:00:00 +0000\r\nMessage-ID: <b2@x>\r\nReferences: <b1@x>\r\n");
    add(
        4,
        "From: carol@x.org\r\nSubject: LUNCH\r\n"
            + "Date: Sat, 3 Feb 2024 10:00:00 +0000\r\nMessage-ID: <a3@x>\r\n");
    add(
        5,
        "From: Bob <bob@x.org>\r\nCc: c@x.org\r\nSubject: Fwd: Budget (fwd)\r\n"
            + "Date: Sun, 4 Feb 2024 10:00:00 +0000\r\nMessage-ID: <b3@x>\r\n"
            + "References: <b1@x> <b2@x>\r\n");
    add(
        6,
        "From: =?UTF-8?Q?=C3=89mile?= <emile@x.org>\r\nSubject: Trip\r\n"
            + "Date: Tue, 6 Feb 2024 10:00:00 +0000\r\nMessage-ID: <c1@x>\r\n");
    add(7, "From: dan@x.org\r\nSubject: re: trip\r\nMessage-ID: <c2@x>\r\nReferences: <cX@x>\r\n");
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

  private void expect(String command, String... response) throws Exception {
    assertEquals(List.of(response), c.command("t", command));
  }

  @Test
  void capabilities() throws Exception {
    List<String> caps = c.command("c", "CAPABILITY");
    for (String cap :
        List.of(
            " SORT ",
            " SORT=DISPLAY ",
            " ESORT ",
            " THREAD=ORDEREDSUBJECT ",
            " THREAD=REFERENCES ")) {
      assertEquals(true, caps.get(0).contains(cap), cap);
    }
  }

  @Test
  void sortsBySubjectDateAndAddresses() throws Exception {
    // RFC 5256 section 5 examples: SORT (SUBJECT), SORT (SUBJECT REVERSE DATE), no match
    expect("SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994", "* SORT 2 3 5 1 4 6 7", "t OK SORT completed");
    expect("SORT (SUBJECT REVERSE DATE) UTF-8 ALL", "* SORT 5 3 2 1 4 7 6", "t OK SORT completed");
    expect("SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"", "* SORT", "t OK SORT completed");
    // a Date in +0100 sorts by its instant; no Date: the internal date stands in
    expect("SORT (DATE) UTF-8 ALL", "* SORT 2 3 4 5 1 6 7", "t OK SORT completed");
    expect("SORT (REVERSE ARRIVAL) UTF-8 ALL", "* SORT 1 2 3 4 5 6 7", "t OK SORT completed");
    expect("SORT (ARRIVAL) UTF-8 1:3", "* SORT 3 2 1", "t OK SORT completed");
    // FROM: the local part of the first address, ASCII letters in one case
    expect("SORT (FROM) UTF-8 ALL", "* SORT 2 3 5 4 7 6 1", "t OK SORT completed");
    // CC and TO: no address sorts first (empty string)
    expect("SORT (CC) UTF-8 ALL", "* SORT 1 2 3 4 6 7 5", "t OK SORT completed");
    expect("SORT (TO REVERSE SIZE) UTF-8 2:5", "* SORT 5 4 3 2", "t OK SORT completed");
    expect("UID SORT (SUBJECT) UTF-8 UID 2:6", "* SORT 2 3 5 4 6", "t OK UID SORT completed");
  }

  @Test
  void sortsByDisplayName() throws Exception {
    // RFC 5957: the display name (decoded) of the first address, else the address itself
    // i;unicode-casemap (RFC 5051, as RFC 5256 asks): "\u00c9mile" sorts as "E\u0301MILE", after
    // "dan@x.org" and before "Zed" (Dovecot 2.3 sorts the same mailbox the same way)
    expect("SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 2 5 3 4 7 6 1", "t OK SORT completed");
    // no To sorts first (ties by subject), then "a@x.org", "b@x.org", "Zoe"
    expect("SORT (DISPLAYTO SUBJECT) UTF-8 ALL", "* SORT 5 4 6 7 3 1 2", "t OK SORT completed");
  }

  @Test
  void esortAnswersWithEsearch() throws Exception {
    // RFC 5267 section 3.2: ALL in sort order, MIN/MAX/COUNT (compared with Dovecot 2.3.19 on the
    // same messages: same answers)
    expect(
        "SORT RETURN (ALL COUNT) (SUBJECT REVERSE DATE) UTF-8 ALL",
        "* ESEARCH (TAG \"t\") COUNT 7 ALL 5,3,2,1,4,7,6",
        "t OK SORT completed");
    expect(
        "UID SORT RETURN (MIN MAX) (DATE) UTF-8 2:4",
        "* ESEARCH (TAG \"t\") UID MIN 2 MAX 4",
        "t OK UID SORT completed");
    // MIN and MAX: the first and last message in sort order, as Dovecot answers
    expect(
        "SORT RETURN (MIN MAX) (REVERSE DATE) UTF-8 ALL",
        "* ESEARCH (TAG \"t\") MIN 7 MAX 2",
        "t OK SORT completed");
    expect(
        "SORT RETURN () (DATE) UTF-8 1:4",
        "* ESEARCH (TAG \"t\") ALL 2:4,1",
        "t OK SORT completed");
    expect(
        "SORT RETURN (COUNT) (DATE) UTF-8 KEYWORD none",
        "* ESEARCH (TAG \"t\") COUNT 0",
        "t OK SORT completed");
  }

  @Test
  void refusesWhatItDoesNotKnow() throws Exception {
    expect("SORT (COLOUR) UTF-8 ALL", "t BAD Unknown sort criterion COLOUR");
    expect(
        "SORT (SUBJECT REVERSE) UTF-8 ALL",
        "t BAD A sort criteria list needs a criterion after each REVERSE");
    expect(
        "SORT (SUBJECT) KOI8-R ALL",
        "t NO [BADCHARSET (UTF-8 US-ASCII)] Charset KOI8-R is not supported");
    expect("THREAD BOGUS UTF-8 ALL", "t BAD Unknown threading algorithm BOGUS");
  }

  @Test
  void threadsByOrderedSubject() throws Exception {
    // one flat thread per base subject, threads by the date of their first message
    expect(
        "THREAD ORDEREDSUBJECT UTF-8 ALL",
        "* THREAD (2 (3)(5))(4 1)(6 7)",
        "t OK THREAD completed");
    expect("THREAD ORDEREDSUBJECT UTF-8 TEXT \"gewp\"", "* THREAD", "t OK THREAD completed");
  }

  @Test
  void threadsByReferences() throws Exception {
    // 2 <- 3 <- 5 by References. 1 replies to a missing <a1@x>: a dummy root with one child, so 1
    // is promoted; "Re: Lunch" is then a reply to "LUNCH" (4) by subject and becomes its child.
    // 7's parent <cX@x> is missing too, and "re: trip" joins "Trip" (6) the same way.
    expect("THREAD REFERENCES UTF-8 ALL", "* THREAD (2 3 5)(4 1)(6 7)", "t OK THREAD completed");
    expect("UID THREAD REFERENCES UTF-8 1:5", "* THREAD (2 3 5)(4 1)", "t OK UID THREAD completed");
    // without 2, its children hang from a dummy that is pruned: 3 is the root
    expect("THREAD REFERENCES UTF-8 3,5", "* THREAD (3 5)", "t OK THREAD completed");
    // two messages answering the same missing message stay under a dummy root
    add(
        8,
        "From: e@x.org\r\nSubject: Party\r\nDate: Thu, 8 Feb 2024 10:00:00 +0000\r\n"
            + "Message-ID: <p1@x>\r\nReferences: <p0@x>\r\n");
    add(
        9,
        "From: f@x.org\r\nSubject: Re: Party\r\nDate: Fri, 9 Feb 2024 10:00:00 +0000\r\n"
            + "Message-ID: <p2@x>\r\nIn-Reply-To: <p0@x>\r\n");
    c.command("n", "NOOP");
    expect(
        "THREAD REFERENCES UTF-8 ALL",
        "* THREAD (2 3 5)(4 1)(6 7)((8)(9))",
        "t OK THREAD completed");
  }

  @Test
  void baseSubjects() {
    assertEquals("hello", SortCommand.baseSubject("Re: [list] Fwd: hello (fwd)").text());
    assertEquals(true, SortCommand.baseSubject("Re: [list] Fwd: hello (fwd)").reply());
    assertEquals("test", SortCommand.baseSubject("[fwd: Re: test]").text());
    assertEquals("[blob]", SortCommand.baseSubject("[blob]").text());
    assertEquals("x", SortCommand.baseSubject("Re:   re: RE[2]: x").text());
    assertEquals("y", SortCommand.baseSubject("Fw: [x] y").text());
    assertEquals("Hello world", SortCommand.baseSubject("  Hello \t  world  ").text());
    assertEquals(false, SortCommand.baseSubject("Hello").reply());
    String cafe =
        new String(
            "=?UTF-8?Q?Re:_caf=C3=A9?=".getBytes(StandardCharsets.ISO_8859_1),
            StandardCharsets.ISO_8859_1);
    assertEquals("caf\u00e9", SortCommand.baseSubject(cafe).text());
    assertEquals("", SortCommand.baseSubject(null).text());
  }
}
