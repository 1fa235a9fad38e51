package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.Test;

/**
 * CONTEXT=SEARCH (RFC 5267) as a client sees it: PARTIAL, searches kept up to date with ADDTO and
 * REMOVEFROM as other sessions (and this one) change the mailbox, CANCELUPDATE, and the limit. The
 * exchange was first run against Dovecot 2.3.19, whose answers have the same shape.
 */
class ContextSearchTest {
  @Test
  void keptSearchesFollowTheMailbox() throws Exception {
    try (TestServer t = new TestServer()) {
      for (int i = 1; i <= 6; i++) {
        t.deliver("INBOX", TestServer.message("m" + i, "Bob <bob@example.org>", "x"));
      }
      try (RawClient c = new RawClient(t.address())) {
        c.line();
        c.command("l", "LOGIN " + TestServer.USER + " " + TestServer.PASSWORD);
        // EXAMINE: read-only, so nothing is claimed and every message stays \\Recent
        c.command("s", "EXAMINE INBOX");
        assertEquals(
            List.of("* ESEARCH (TAG \"a\")", "a OK SEARCH completed"),
            c.command("a", "SEARCH RETURN (UPDATE) UNSEEN"));
        assertEquals(
            List.of("* ESEARCH (TAG \"b\") UID COUNT 6", "b OK UID SEARCH completed"),
            c.command("b", "UID SEARCH RETURN (UPDATE COUNT) UNSEEN"));
        assertEquals(
            List.of("* ESEARCH (TAG \"p\") PARTIAL (2:4 2:4)", "p OK SEARCH completed"),
            c.command("p", "SEARCH RETURN (PARTIAL 2:4) UNSEEN"));
        assertEquals(
            List.of("* ESEARCH (TAG \"q\") PARTIAL (5:9 5:6)", "q OK SEARCH completed"),
            c.command("q", "SEARCH RETURN (PARTIAL 5:9) UNSEEN"));
        assertEquals(
            List.of("* ESEARCH (TAG \"r\") COUNT 6 PARTIAL (7:9 NIL)", "r OK SEARCH completed"),
            c.command("r", "SEARCH RETURN (COUNT PARTIAL 7:9 CONTEXT) UNSEEN"));
        // another session reads 2 and 5
        t.backend.setFlags(TestServer.USER, "INBOX", 2, Set.of("\\Seen"));
        t.backend.setFlags(TestServer.USER, "INBOX", 5, Set.of("\\Seen"));
        assertEquals(
            List.of(
                "* 2 FETCH (UID 2 FLAGS (\\Recent \\Seen))",
                "* 5 FETCH (UID 5 FLAGS (\\Recent \\Seen))",
                "* ESEARCH (TAG \"a\") REMOVEFROM (0 2,5)",
                "* ESEARCH (TAG \"b\") UID REMOVEFROM (0 2,5)",
                "n OK NOOP completed"),
            c.command("n", "NOOP"));
        // a delivery: added after the EXISTS
        t.deliver("INBOX", TestServer.message("m7", "Bob <bob@example.org>", "x"));
        assertEquals(
            List.of(
                "* 7 EXISTS",
                "* 7 RECENT",
                "* ESEARCH (TAG \"a\") ADDTO (0 7)",
                "* ESEARCH (TAG \"b\") UID ADDTO (0 7)",
                "n OK NOOP completed"),
            c.command("n", "NOOP"));
        // an expunge: removed before the EXPUNGE, in the numbering the client still has
        t.backend.expungeNow(TestServer.USER, "INBOX", 3);
        assertEquals(
            List.of(
                "* ESEARCH (TAG \"a\") REMOVEFROM (0 3)",
                "* ESEARCH (TAG \"b\") UID REMOVEFROM (0 3)",
                "* 3 EXPUNGE",
                "n OK NOOP completed"),
            c.command("n", "NOOP"));
        assertEquals(List.of("x OK CANCELUPDATE completed"), c.command("x", "CANCELUPDATE \"a\""));
        assertEquals(List.of("y NO Unknown tag"), c.command("y", "CANCELUPDATE \"a\" \"b\""));
        t.backend.setFlags(TestServer.USER, "INBOX", 1, Set.of("\\Seen"));
        assertEquals(
            List.of("* 1 FETCH (UID 1 FLAGS (\\Recent \\Seen))", "n OK NOOP completed"),
            c.command("n", "NOOP"));
      }
    }
  }

  @Test
  void ownStoresMoveKeptSearchesAndTheirNumberIsBounded() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient c = new RawClient(t.address())) {
        c.line();
        c.command("l", "LOGIN " + TestServer.USER + " " + TestServer.PASSWORD);
        c.command("s", "SELECT INBOX");
        c.command("a", "UID SEARCH RETURN (UPDATE) FLAGGED");
        assertEquals(
            List.of(
                "* 2 FETCH (FLAGS (\\Flagged \\Recent))",
                "* ESEARCH (TAG \"a\") UID ADDTO (0 2)",
                "f OK STORE completed"),
            c.command("f", "STORE 2 +FLAGS (\\Flagged)"));
        // reading a message marks it \Seen, which moves an UNSEEN search kept up to date
        c.command("b", "SEARCH RETURN (UPDATE) UNSEEN");
        List<String> read = c.command("r", "FETCH 1 (BODY[TEXT])");
        assertEquals("* ESEARCH (TAG \"b\") REMOVEFROM (0 1)", read.get(1));
        for (int i = 3; i <= LiveSearches.MAX; i++) {
          c.command("k" + i, "SEARCH RETURN (UPDATE) ALL");
        }
        assertEquals(
            List.of(
                "* ESEARCH (TAG \"z\") ALL 1:2",
                "* NO [NOUPDATE \"z\"] At most 8 searches are kept up to date",
                "z OK SEARCH completed"),
            c.command("z", "SEARCH RETURN (ALL UPDATE) ALL"));
        // leaving the mailbox drops them all
        c.command("u", "UNSELECT");
        c.command("s2", "SELECT INBOX");
        assertEquals(List.of("c NO Unknown tag"), c.command("c", "CANCELUPDATE \"a\""));
      }
    }
  }
}
