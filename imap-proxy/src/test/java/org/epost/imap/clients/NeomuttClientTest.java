package org.epost.imap.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.epost.imap.fixture.TestServer;
import org.epost.imap.server.TranscriptTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * neomutt, driven through a tmux pane like a person at a terminal: read a message, move it to
 * Trash.
 */
class NeomuttClientTest {
  @TempDir Path dir;
  private String session;

  @Test
  void readsAndMovesAMessage() throws Exception {
    ExternalProgram.require("neomutt", "neomutt");
    ExternalProgram.require("tmux", "tmux");
    try (TestServer t = new TestServer()) {
      TranscriptTest.seedMessages(t);
      Path rc = dir.resolve("neomuttrc");
      Files.writeString(
          rc,
          String.join(
              "\n",
              "set folder=\"imap://" + TestServer.USER + "@127.0.0.1:" + t.port() + "/\"",
              "set imap_user=\"" + TestServer.USER + "\"",
              "set imap_pass=\"" + TestServer.PASSWORD + "\"",
              "set spoolfile=\"+INBOX\"",
              "set ssl_starttls=no",
              "set ssl_force_tls=no",
              "set delete=yes",
              "set confirmappend=no",
              "set confirmcreate=no",
              "set move=no",
              "set sort=date",
              "set quit=yes",
              "set header_cache=\"\"",
              "set message_cachedir=\"\"",
              "set sidebar_visible=no",
              "set index_format=\"%4C %-15.15L %s\"",
              "set pager_stop=yes",
              "set wait_key=no",
              ""));
      session = "neomutt-" + ProcessHandle.current().pid() + "-" + t.port();
      tmux(
          "new-session",
          "-d",
          "-s",
          session,
          "-x",
          "160",
          "-y",
          "40",
          "env HOME=" + dir + " TERM=xterm neomutt -n -F " + rc);
      String index = waitFor("Report");
      assertTrue(index.contains("Hello there"), index);

      tmux("send-keys", "-t", session, "Enter");
      String pager = waitFor("First body line");
      assertTrue(pager.contains("Subject: Hello there"), pager);
      tmux("send-keys", "-t", session, "q");
      waitFor("Report");

      tmux("send-keys", "-t", session, "s");
      waitFor("Save to mailbox");
      tmux("send-keys", "-t", session, "C-u", "=Trash", "Enter");
      tmux("send-keys", "-t", session, "$");
      long deadline = System.currentTimeMillis() + 20_000;
      while (t.backend.uids(TestServer.USER, "INBOX").size() != 1
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      tmux("send-keys", "-t", session, "q");
      assertEquals(
          List.of(2L), t.backend.uids(TestServer.USER, "INBOX"), "message left INBOX: " + screen());
      List<Long> trash = t.backend.uids(TestServer.USER, "Trash");
      assertEquals(1, trash.size());
      assertTrue(
          new String(t.backend.content(TestServer.USER, "Trash", trash.get(0)))
              .contains("Hello there"));
    }
  }

  private String waitFor(String text) throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    String s = "";
    while (System.currentTimeMillis() < deadline) {
      s = screen();
      if (s.contains(text)) {
        return s;
      }
      Thread.sleep(200);
    }
    fail("neomutt never showed \"" + text + "\"; screen:\n" + s);
    return s;
  }

  private String screen() throws Exception {
    return tmux("capture-pane", "-p", "-t", session).output();
  }

  private ExternalProgram.Result tmux(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tmux", "-L", "imap-proxy-test"));
    cmd.addAll(List.of(args));
    return ExternalProgram.run(cmd, dir, Map.of(), null, 20);
  }

  @AfterEach
  void killSession() throws Exception {
    if (session != null) {
      tmux("kill-session", "-t", session);
    }
  }
}
