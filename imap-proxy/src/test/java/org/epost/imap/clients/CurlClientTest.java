package org.epost.imap.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.epost.imap.fixture.TestServer;
import org.epost.imap.server.TranscriptTest;
import org.junit.jupiter.api.Test;

/** curl's IMAP support: list mailboxes, search, fetch a message by UID. */
class CurlClientTest {

  private static ExternalProgram.Result curl(TestServer t, String path, String... extra)
      throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "--max-time",
                "20",
                "--user",
                TestServer.USER + ":" + TestServer.PASSWORD));
    cmd.addAll(List.of(extra));
    cmd.add("imap://127.0.0.1:" + t.port() + "/" + path);
    return ExternalProgram.run(cmd, null, Map.of(), null, 30);
  }

  @Test
  void listsSearchesAndFetches() throws Exception {
    ExternalProgram.require("curl", "curl");
    try (TestServer t = new TestServer()) {
      TranscriptTest.seedMessages(t);
      ExternalProgram.Result list = curl(t, "");
      assertEquals(0, list.exitCode(), list.output());
      assertTrue(list.output().contains("* LIST (\\HasNoChildren) \"/\" INBOX"), list.output());
      assertTrue(list.output().contains("\\Sent) \"/\" Sent"), list.output());

      ExternalProgram.Result search = curl(t, "INBOX?SUBJECT%20Report");
      assertEquals(0, search.exitCode(), search.output());
      assertEquals("* SEARCH 2", search.output().trim());

      ExternalProgram.Result fetch = curl(t, "INBOX;UID=1");
      assertEquals(0, fetch.exitCode(), fetch.output());
      assertTrue(fetch.output().startsWith("From: Bob <bob@example.org>"), fetch.output());
      assertTrue(fetch.output().contains("First body line\r\nsecond"), fetch.output());

      ExternalProgram.Result part = curl(t, "INBOX;UID=2;SECTION=1");
      assertEquals("See attached.", part.output());

      ExternalProgram.Result denied =
          ExternalProgram.run(
              List.of(
                  "curl",
                  "-sS",
                  "--max-time",
                  "20",
                  "--user",
                  "alice:wrong",
                  "imap://127.0.0.1:" + t.port() + "/"),
              null,
              Map.of(),
              null,
              30);
      assertEquals(
          67, denied.exitCode(), "curl exit code 67 means login denied: " + denied.output());
    }
  }
}
