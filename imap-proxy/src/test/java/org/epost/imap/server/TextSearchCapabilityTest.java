package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.epost.imap.api.ImapServer;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.api.MailboxBackend;
import org.epost.imap.api.TextSearch;
import org.epost.imap.api.UserSession;
import org.epost.imap.fixture.InMemoryBackend;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.Test;

/**
 * A session that implements {@link TextSearch}: SEARCH BODY and TEXT take its verdicts and read
 * only the messages it cannot decide; the answers are the same as without the index; a session
 * without the capability is searched by reading, as before.
 */
class TextSearchCapabilityTest {
  private static final String USER = "alice";
  private static final String PASSWORD = "s3cret-pass";

  /** A backend whose sessions answer text searches from the messages' bytes, except UID 2. */
  private static final class IndexedBackend implements MailboxBackend {
    final InMemoryBackend store = new InMemoryBackend().addUser(USER, PASSWORD);
    final AtomicInteger searches = new AtomicInteger();

    @Override
    public UserSession authenticate(String user, String password) {
      UserSession inner = store.authenticate(user, password);
      TextSearch index =
          (mailbox, needle, includeHeader) -> {
            searches.incrementAndGet();
            return uid -> {
              if (uid == 2) {
                return TextSearch.Verdict.UNKNOWN; // "not indexed yet"
              }
              String text =
                  new String(store.content(USER, mailbox, uid), StandardCharsets.UTF_8)
                      .toLowerCase(Locale.ROOT);
              String body = text.substring(text.indexOf("\r\n\r\n") + 4);
              return (includeHeader ? text : body).contains(needle.toLowerCase(Locale.ROOT))
                  ? TextSearch.Verdict.MATCH
                  : TextSearch.Verdict.NO_MATCH;
            };
          };
      InvocationHandler h =
          (proxy, method, args) -> {
            try {
              return method.getDeclaringClass() == TextSearch.class
                  ? method.invoke(index, args)
                  : method.invoke(inner, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          };
      return (UserSession)
          Proxy.newProxyInstance(
              UserSession.class.getClassLoader(),
              new Class<?>[] {UserSession.class, TextSearch.class},
              h);
    }
  }

  private static void seed(InMemoryBackend b) {
    String[][] msgs = {
      {"one", "the quick brown fox"},
      {"two", "a quick study"},
      {"three", "nothing here"},
      {"four", "QUICKLY now"},
    };
    for (String[] m : msgs) {
      b.deliver(
          USER,
          "INBOX",
          TestServer.message(m[0], "Bob <bob@example.org>", m[1]).getBytes(StandardCharsets.UTF_8),
          Set.of(),
          Instant.parse("2024-02-01T10:00:00Z"));
    }
  }

  private static List<String> search(ImapServer server, String criteria) throws Exception {
    try (RawClient c = new RawClient(server.localAddress())) {
      c.line();
      c.command("l", "LOGIN " + USER + " " + PASSWORD);
      c.command("s", "SELECT INBOX");
      return c.command("q", "UID SEARCH " + criteria);
    }
  }

  @Test
  void theServerReadsOnlyWhatTheIndexCannotDecide() throws Exception {
    IndexedBackend backend = new IndexedBackend();
    seed(backend.store);
    ImapServer server = ImapServers.start(ImapServerConfig.defaults().withPort(0), backend);
    try {
      backend.store.resetCounters();
      List<String> out = search(server, "BODY quick");
      assertEquals("* SEARCH 1 2 4", out.get(0));
      assertEquals(1, backend.store.bodyReads(), "only UID 2, which the index did not know");
      assertEquals(1, backend.searches.get(), "one index question per key and run");

      backend.store.resetCounters();
      out = search(server, "OR TEXT three BODY study NOT BODY fox");
      assertEquals("* SEARCH 2 3", out.get(0));
      assertEquals(3, backend.searches.get() - 1, "one question per distinct key");

      backend.store.resetCounters();
      out = search(server, "TEXT \"Subject: four\"");
      assertEquals("* SEARCH 4", out.get(0));
      assertEquals(1, backend.store.bodyReads());
    } finally {
      server.close();
    }
  }

  @Test
  void withoutTheCapabilityTheServerReadsEveryMessage() throws Exception {
    try (TestServer t = new TestServer()) {
      seed(t.backend);
      t.backend.resetCounters();
      List<String> out = search(t.server, "BODY quick");
      assertEquals("* SEARCH 1 2 4", out.get(0));
      assertEquals(4, t.backend.bodyReads());
    }
  }
}
