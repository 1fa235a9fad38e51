package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.Test;

/**
 * RFC 3501 2.3.2: a message is \Recent in exactly one session, the first read-write one told of it.
 */
class RecentTest {

  private static RawClient loggedIn(TestServer t) throws Exception {
    RawClient c = new RawClient(t.address());
    c.line();
    c.command("l", "login alice s3cret-pass");
    return c;
  }

  @Test
  void onlyTheFirstSessionToSelectSeesRecent() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient a = loggedIn(t);
          RawClient b = loggedIn(t)) {
        assertTrue(
            b.command("b0", "examine INBOX").contains("* 2 RECENT"),
            "EXAMINE sees recent messages without taking them");
        assertTrue(a.command("a1", "select INBOX").contains("* 2 RECENT"));
        assertEquals(
            List.of(
                "* 1 FETCH (FLAGS (\\Recent))",
                "* 2 FETCH (FLAGS (\\Recent))",
                "a2 OK FETCH completed"),
            a.command("a2", "fetch 1:2 flags"));
        assertEquals(
            List.of("* SEARCH 1 2", "a3 OK SEARCH completed"), a.command("a3", "search recent"));

        List<String> second = b.command("b1", "select INBOX");
        assertTrue(second.contains("* 0 RECENT"), second.toString());
        assertEquals(
            List.of("* 1 FETCH (FLAGS ())", "b2 OK FETCH completed"),
            b.command("b2", "fetch 1 flags"));
        assertEquals(
            List.of("* SEARCH", "b3 OK SEARCH completed"), b.command("b3", "search recent"));
        assertEquals(
            List.of("* SEARCH 1 2", "b4 OK SEARCH completed"), b.command("b4", "search old"));
        assertEquals(
            List.of("* STATUS INBOX (RECENT 0)", "b5 OK STATUS completed"),
            b.command("b5", "status INBOX (recent)"));

        // A new arrival goes to whichever selected read-write session hears of it first.
        t.deliver("INBOX", TestServer.message("Late", "Dave <dave@example.org>", "arrived later"));
        assertEquals(
            List.of("* 3 EXISTS", "* 1 RECENT", "b6 OK NOOP completed"), b.command("b6", "noop"));
        assertEquals(
            List.of("* SEARCH 3", "b7 OK SEARCH completed"), b.command("b7", "search new"));
        assertEquals(List.of("* 3 EXISTS", "a4 OK NOOP completed"), a.command("a4", "noop"));
        assertEquals(
            List.of("* SEARCH 1 2", "a5 OK SEARCH completed"), a.command("a5", "search recent"));
        assertEquals(
            List.of("* SEARCH 3", "a6 OK SEARCH completed"), a.command("a6", "search old"));

        a.command("a7", "store 1 +flags (\\Seen)");
        assertEquals(
            List.of("* SEARCH 2", "a8 OK SEARCH completed"), a.command("a8", "search new"));
      }
      try (RawClient c = loggedIn(t)) {
        assertTrue(
            c.command("c1", "select INBOX").contains("* 0 RECENT"),
            "recent is not handed out twice");
      }
    }
  }

  @Test
  void anExpungedRecentMessageLeavesTheRecentCount() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient a = loggedIn(t)) {
        assertTrue(a.command("a1", "select INBOX").contains("* 2 RECENT"));
        a.command("a2", "store 1 +flags.silent (\\Deleted)");
        a.command("a3", "expunge");
        t.deliver("INBOX", TestServer.message("Late", "Dave <dave@example.org>", "arrived later"));
        assertEquals(
            List.of("* 2 EXISTS", "* 2 RECENT", "a4 OK NOOP completed"), a.command("a4", "noop"));
        assertEquals(
            List.of("* SEARCH 1 2", "a5 OK SEARCH completed"), a.command("a5", "search recent"));
      }
    }
  }

  @Test
  void storeCannotSetRecentAndStoreResponsesKeepIt() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient a = loggedIn(t)) {
        a.command("a1", "select INBOX");
        assertEquals(
            List.of("* 1 FETCH (FLAGS (\\Flagged \\Recent))", "a2 OK STORE completed"),
            a.command("a2", "store 1 +flags (\\Flagged)"));
        assertTrue(a.command("a3", "store 1 +flags (\\Recent)").get(0).startsWith("a3 BAD"));
      }
    }
  }

  @Test
  void theTrackerForgetsLeastRecentlyUsedMailboxesBeyondItsBound() {
    RecentTracker tracker = new RecentTracker(2);
    RecentTracker.Key inbox = new RecentTracker.Key("alice", "INBOX", 1);
    RecentTracker.Key sent = new RecentTracker.Key("alice", "Sent", 1);
    RecentTracker.Key trash = new RecentTracker.Key("alice", "Trash", 1);
    assertEquals(0, tracker.claim(inbox, 5));
    assertEquals(5, tracker.claim(inbox, 7), "a second claimant only gets what arrived since");
    tracker.claim(sent, 3);
    tracker.claim(trash, 4);
    assertEquals(2, tracker.size());
    assertEquals(0, tracker.peek(inbox), "forgotten: everything is recent once more");
    assertEquals(3, tracker.peek(sent));
  }
}
