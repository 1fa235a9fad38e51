package org.epost.imap.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.epost.imap.server.TranscriptTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** isync/mbsync: two-way sync of flags, a folder created locally, a message deleted locally. */
class MbsyncClientTest {
  @TempDir Path dir;

  @Test
  void twoWaySync() throws Exception {
    ExternalProgram.require("mbsync", "isync");
    try (TestServer t = new TestServer()) {
      TranscriptTest.seedMessages(t);
      Path mail = dir.resolve("mail");
      Files.createDirectories(mail);
      Path config = dir.resolve("mbsyncrc");
      Files.writeString(
          config,
          String.join(
              "\n",
              "IMAPAccount proxy",
              "Host 127.0.0.1",
              "Port " + t.port(),
              "User " + TestServer.USER,
              "Pass " + TestServer.PASSWORD,
              "SSLType None",
              "AuthMechs PLAIN LOGIN",
              "",
              "IMAPStore remote",
              "Account proxy",
              "",
              "MaildirStore local",
              "Path " + mail + "/",
              "Inbox " + mail + "/INBOX",
              "SubFolders Verbatim",
              "",
              "Channel sync",
              "Far :remote:",
              "Near :local:",
              "Patterns INBOX Projects",
              "Create Both",
              "Expunge Both",
              "SyncState *",
              ""));
      sync(config);
      List<Path> inbox = files(mail.resolve("INBOX"));
      assertEquals(2, inbox.size(), "both messages downloaded: " + inbox);

      // server side: another client flags message 2
      try (RawClient c = new RawClient(t.address())) {
        c.line();
        c.command("a", "login alice s3cret-pass");
        c.command("b", "select INBOX");
        c.command("c", "uid store 2 +flags (\\Flagged)");
        c.command("d", "logout");
      }
      // local side: read message 2, delete message 1, create a folder with a message
      Path report = find(inbox, "Subject: Report");
      Files.move(
          report,
          report.resolveSibling(
              report.getFileName() + (report.toString().contains(":2,") ? "S" : ":2,S")));
      Files.delete(find(files(mail.resolve("INBOX")), "Subject: Hello there"));
      Path projects = mail.resolve("Projects");
      for (String sub : List.of("cur", "new", "tmp")) {
        Files.createDirectories(projects.resolve(sub));
      }
      Files.writeString(
          projects.resolve("new").resolve("1700000000.1.local"),
          "From: alice@example.org\nSubject: Plan\n\nthe plan\n");
      sync(config);

      assertEquals(
          List.of(2L),
          t.backend.uids(TestServer.USER, "INBOX"),
          "locally deleted message expunged");
      assertEquals(Set.of("\\Flagged", "\\Seen"), t.backend.flags(TestServer.USER, "INBOX", 2));
      assertTrue(t.backend.mailboxNames(TestServer.USER).contains("Projects"));
      assertEquals(1, t.backend.uids(TestServer.USER, "Projects").size());
      String uploaded =
          new String(
              t.backend.content(
                  TestServer.USER, "Projects", t.backend.uids(TestServer.USER, "Projects").get(0)),
              StandardCharsets.UTF_8);
      assertTrue(uploaded.contains("the plan"), uploaded);
      Path local = find(files(mail.resolve("INBOX")), "Subject: Report");
      String info = local.getFileName().toString().replaceAll(".*:2,", "");
      assertEquals("FS", info, "server flag arrived locally: " + local);
    }
  }

  private void sync(Path config) throws Exception {
    ExternalProgram.Result r =
        ExternalProgram.run(
            List.of("mbsync", "-c", config.toString(), "-a"),
            dir,
            Map.of("HOME", dir.toString()),
            null,
            60);
    assertEquals(0, r.exitCode(), "mbsync failed:\n" + r.output());
  }

  private static List<Path> files(Path maildir) throws IOException {
    try (Stream<Path> cur = Files.list(maildir.resolve("cur"));
        Stream<Path> nw = Files.list(maildir.resolve("new"))) {
      return Stream.concat(cur, nw).sorted().toList();
    }
  }

  private static Path find(List<Path> files, String text) throws IOException {
    for (Path p : files) {
      if (Files.readString(p, StandardCharsets.ISO_8859_1).contains(text)) {
        return p;
      }
    }
    throw new AssertionError("no local message contains " + text + " among " + files);
  }
}
