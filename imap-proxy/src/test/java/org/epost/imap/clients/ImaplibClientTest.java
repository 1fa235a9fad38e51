package org.epost.imap.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epost.imap.fixture.TestServer;
import org.epost.imap.server.TranscriptTest;
import org.junit.jupiter.api.Test;

/** Python's imaplib: search, fetch, flags and append, checked in its output and in the store. */
class ImaplibClientTest {

  @Test
  void searchFetchFlagsAppend() throws Exception {
    ExternalProgram.require("python3", "python3");
    try (TestServer t = new TestServer()) {
      TranscriptTest.seedMessages(t);
      Path script =
          Path.of(ImaplibClientTest.class.getResource("/clients/imaplib_client.py").toURI());
      ExternalProgram.Result r =
          ExternalProgram.run(
              List.of(
                  "python3",
                  script.toString(),
                  String.valueOf(t.port()),
                  TestServer.USER,
                  TestServer.PASSWORD),
              null,
              Map.of(),
              null,
              60);
      String out = r.output();
      assertEquals(0, r.exitCode(), out);
      assertTrue(out.contains("SELECT OK 2"), out);
      assertTrue(out.contains("SEARCH FROM bob 1\n"), out);
      assertTrue(out.contains("SEARCH SUBJECT Report 2\n"), out);
      assertTrue(out.contains("HEADER Subject: Hello there"), out);
      assertTrue(out.contains("BODY-HAS True"), out);
      assertTrue(out.contains("STORE 2 (FLAGS ($Important \\Flagged \\Recent))"), out);
      assertTrue(out.matches("(?s).*APPEND OK \\[APPENDUID \\d+ 3\\].*"), out);
      assertTrue(out.contains("SEARCH SEEN 1 3\n"), out);
      assertTrue(out.contains("DONE"), out);
      assertEquals(Set.of("\\Flagged", "$Important"), t.backend.flags(TestServer.USER, "INBOX", 2));
      assertEquals(Set.of("\\Seen"), t.backend.flags(TestServer.USER, "INBOX", 1));
      assertTrue(
          new String(t.backend.content(TestServer.USER, "INBOX", 3))
              .contains("appended by imaplib"));
    }
  }
}
