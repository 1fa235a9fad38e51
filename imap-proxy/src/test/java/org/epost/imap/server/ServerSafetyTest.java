package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.epost.imap.api.AppendResult;
import org.epost.imap.api.BackendException;
import org.epost.imap.api.CopyResult;
import org.epost.imap.api.FlagUpdate;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.api.MailboxInfo;
import org.epost.imap.api.MailboxListener;
import org.epost.imap.api.MailboxSnapshot;
import org.epost.imap.api.Registration;
import org.epost.imap.api.ResponseCode;
import org.epost.imap.api.UserSession;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.Test;

/** Hostile or unlucky input over a real socket: the server answers precisely and stays up. */
class ServerSafetyTest {

  private static RawClient loggedIn(TestServer t) throws Exception {
    RawClient c = new RawClient(t.address());
    String greeting = c.line();
    assertTrue(greeting.startsWith("* OK "), "never PREAUTH: " + greeting);
    c.command("l", "login alice s3cret-pass");
    return c;
  }

  @Test
  void listensOnLoopbackByDefault() {
    assertTrue(ImapServerConfig.defaults().bindAddress().getAddress().isLoopbackAddress());
  }

  @Test
  void megabyteCommandLineGetsBadAndTheConnectionStaysUsable() throws Exception {
    try (TestServer t = new TestServer();
        RawClient c = loggedIn(t)) {
      c.send("big SEARCH SUBJECT " + "a".repeat(1024 * 1024) + "\r\n");
      assertEquals("big BAD Command line too long (limit 65536 bytes)", c.line());
      assertEquals(List.of("n OK NOOP completed"), c.command("n", "NOOP"));
    }
  }

  @Test
  void bigLiteralsAreRefusedBeforeLogin() throws Exception {
    try (TestServer t = new TestServer();
        RawClient c = new RawClient(t.address())) {
      c.line();
      c.send("a APPEND INBOX {100000}\r\n");
      assertEquals(
          "a BAD Literal of 100000 bytes exceeds the limit of 8192 bytes before login", c.line());
      c.command("l", "login alice s3cret-pass");
      c.send("b APPEND INBOX {100000}\r\n");
      assertEquals("+ Ready for literal data", c.line());
    }
  }

  @Test
  void httpOnTheImapPortIsClosed() throws Exception {
    try (TestServer t = new TestServer();
        RawClient c = new RawClient(t.address())) {
      c.line();
      c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertEquals("* BYE This is an IMAP server, not HTTP", c.line());
      assertTrue(c.isClosedByServer());
    }
  }

  @Test
  void idleConnectionIsLoggedOut() throws Exception {
    ImapServerConfig cfg =
        ImapServerConfig.defaults()
            .withPort(0)
            .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5));
    try (TestServer t = new TestServer(cfg);
        RawClient c = loggedIn(t)) {
      c.command("i0", "select INBOX");
      c.send("i1 IDLE\r\n");
      assertEquals("+ idling", c.line());
      assertEquals("* BYE Autologout; idle for too long", c.line());
      assertTrue(c.isClosedByServer());
    }
  }

  @Test
  void hundredsOfPipelinedCommandsAreAllAnsweredInOrder() throws Exception {
    try (TestServer t = new TestServer();
        RawClient c = loggedIn(t)) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 500; i++) {
        sb.append("p").append(i).append(" NOOP\r\n");
      }
      c.send(sb.toString());
      for (int i = 0; i < 500; i++) {
        assertEquals("p" + i + " OK NOOP completed", c.line());
      }
    }
  }

  @Test
  void largeMessageRoundTripsThroughASpooledLiteralAndStreamedFetch() throws Exception {
    byte[] body = new byte[5 * 1024 * 1024];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) ('a' + i % 26);
      if (i % 78 == 77) {
        body[i - 1] = '\r';
        body[i] = '\n';
      }
    }
    byte[] header = "Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    try (TestServer t = new TestServer();
        RawClient c = loggedIn(t)) {
      c.send("a APPEND INBOX {" + (header.length + body.length) + "+}\r\n");
      c.sendBytes(header);
      c.sendBytes(body);
      c.send("\r\n");
      assertTrue(c.line().matches("a OK \\[APPENDUID \\d+ 1\\] APPEND completed"));
      c.command("s", "select INBOX");
      String fetch = c.command("f", "fetch 1 body.peek[text]<1000.20>").get(0);
      assertEquals(
          "* 1 FETCH (BODY[TEXT]<1000> {20}\r\n"
              + new String(body, 1000, 20, StandardCharsets.US_ASCII)
              + ")",
          fetch);
      c.send("g fetch 1 body.peek[]\r\n");
      String whole = c.line();
      String prefix = "* 1 FETCH (BODY[] {" + (header.length + body.length) + "}\r\n";
      assertTrue(whole.startsWith(prefix));
      byte[] got =
          whole
              .substring(prefix.length(), whole.length() - 1)
              .getBytes(StandardCharsets.ISO_8859_1);
      assertEquals(header.length + body.length, got.length);
      assertArrayEquals(body, java.util.Arrays.copyOfRange(got, header.length, got.length));
    }
  }

  @Test
  void noExpungeDuringFetchButAfterNoop() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient a = loggedIn(t);
          RawClient b = loggedIn(t)) {
        a.command("a1", "select INBOX");
        b.command("b1", "select INBOX");
        b.command("b2", "store 1 +flags.silent (\\Deleted)");
        b.command("b3", "expunge");
        List<String> fetch = a.command("a2", "fetch 1:2 (uid)");
        assertEquals(
            List.of("* 2 FETCH (UID 2)", "a2 OK FETCH completed"),
            fetch,
            "an EXPUNGE here would renumber the messages the client is fetching");
        List<String> noop = a.command("a3", "noop");
        assertEquals(List.of("* 1 EXPUNGE", "a3 OK NOOP completed"), noop);
        assertEquals(
            List.of("* 1 FETCH (UID 2)", "a4 OK FETCH completed"),
            a.command("a4", "fetch 1 (uid)"));
      }
    }
  }

  @Test
  void flagChangesByAnotherClientAreReported() throws Exception {
    try (TestServer t = new TestServer()) {
      TranscriptTest.seed(t);
      try (RawClient a = loggedIn(t);
          RawClient b = loggedIn(t)) {
        a.command("a1", "select INBOX");
        b.command("b1", "select INBOX");
        b.command("b2", "store 2 +flags.silent (\\Answered)");
        assertEquals(
            List.of("* 2 FETCH (UID 2 FLAGS (\\Answered \\Recent))", "a2 OK NOOP completed"),
            a.command("a2", "noop"));
      }
    }
  }

  @Test
  void backendFailuresBecomePreciseNoReplies() throws Exception {
    try (TestServer t = new TestServer();
        RawClient c = loggedIn(t)) {
      t.backend.failNextCall(() -> new IllegalStateException("disk on fire"));
      assertTrue(
          c.command("x1", "list \"\" *")
              .get(0)
              .startsWith("x1 NO [SERVERBUG] The mail store failed"));
      t.backend.failNextCall(
          () -> new BackendException(ResponseCode.UNAVAILABLE, "Peers unreachable"));
      assertEquals(
          List.of("x2 NO [UNAVAILABLE] Peers unreachable"), c.command("x2", "select INBOX"));
      List<String> select = c.command("x3", "select INBOX");
      assertTrue(select.get(select.size() - 1).startsWith("x3 OK [READ-WRITE]"), select.toString());
    }
  }

  @Test
  void aBackendThatNeverAnswersIsInterruptedAndAnsweredUnavailable() throws Exception {
    ImapServerConfig cfg =
        ImapServerConfig.defaults()
            .withPort(0)
            .withTimeouts(Duration.ofMinutes(30), Duration.ofMillis(300));
    CompletableFuture<MailboxSnapshot> never = new CompletableFuture<>();
    try (var server = ImapServers.start(cfg, (u, p) -> new StuckSession(never));
        RawClient c = new RawClient(server.localAddress())) {
      c.line();
      c.command("l", "login bob pw");
      assertEquals(
          List.of("s NO [UNAVAILABLE] The mail store did not answer within 0 s; try again later"),
          c.command("s", "select INBOX"));
      assertEquals(List.of("n OK NOOP completed"), c.command("n", "noop"));
    }
  }

  /**
   * A session whose snapshot waits forever on a future (as a store waiting for its network would),
   * until its thread is interrupted; everything else is unsupported.
   */
  private record StuckSession(CompletableFuture<MailboxSnapshot> never) implements UserSession {
    @Override
    public char hierarchyDelimiter() {
      return '/';
    }

    private static <T> T unsupported() {
      throw new BackendException(ResponseCode.CANNOT, "unsupported");
    }

    @Override
    public List<MailboxInfo> listMailboxes() {
      return unsupported();
    }

    @Override
    public void createMailbox(String name) {
      unsupported();
    }

    @Override
    public void deleteMailbox(String name) {
      unsupported();
    }

    @Override
    public void renameMailbox(String from, String to) {
      unsupported();
    }

    @Override
    public void setSubscribed(String name, boolean subscribed) {
      unsupported();
    }

    @Override
    public MailboxSnapshot snapshot(String mailbox) {
      try {
        return never.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException(ResponseCode.UNAVAILABLE, "interrupted");
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public org.epost.imap.api.MailboxChanges changesSince(String mailbox, long modSeq) {
      return unsupported();
    }

    @Override
    public Map<Long, org.epost.imap.mime.MimePart> structures(
        String mailbox, Collection<Long> uids) {
      return unsupported();
    }

    @Override
    public InputStream read(String mailbox, long uid, long offset, long length) {
      return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public AppendResult append(String mailbox, List<org.epost.imap.api.NewMessage> messages) {
      return unsupported();
    }

    @Override
    public org.epost.imap.api.StoreResult storeFlags(
        String mailbox,
        Collection<Long> uids,
        FlagUpdate update,
        Set<String> flags,
        long unchangedSince) {
      return unsupported();
    }

    @Override
    public CopyResult copy(String from, Collection<Long> uids, String to) {
      return unsupported();
    }

    @Override
    public CopyResult move(String from, Collection<Long> uids, String to) {
      return unsupported();
    }

    @Override
    public List<Long> expunge(String mailbox, Collection<Long> uids) {
      return unsupported();
    }

    @Override
    public Registration watch(String mailbox, MailboxListener listener) {
      return () -> {};
    }

    @Override
    public void close() {}
  }
}
