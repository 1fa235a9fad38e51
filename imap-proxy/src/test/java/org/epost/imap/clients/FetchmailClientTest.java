package org.epost.imap.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.epost.imap.fixture.TestServer;
import org.epost.imap.server.TranscriptTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fetchmail: downloads every message to a local delivery agent and removes it from the server. */
class FetchmailClientTest {
  @TempDir Path dir;

  @Test
  void downloadsAndDeletes() throws Exception {
    ExternalProgram.require("fetchmail", "fetchmail");
    try (TestServer t = new TestServer()) {
      TranscriptTest.seedMessages(t);
      Path out = dir.resolve("delivered.txt");
      Path rc = dir.resolve("fetchmailrc");
      Files.writeString(
          rc,
          "set no syslog\npoll 127.0.0.1 service "
              + t.port()
              + " protocol IMAP auth password\n"
              + "  user \""
              + TestServer.USER
              + "\" password \""
              + TestServer.PASSWORD
              + "\"\n"
              + "  sslproto '' fetchall mda \"/bin/sh -c 'cat >> "
              + out
              + "'\"\n");
      Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
      ExternalProgram.Result r =
          ExternalProgram.run(
              List.of(
                  "fetchmail",
                  "-f",
                  rc.toString(),
                  "-v",
                  "--pidfile",
                  dir.resolve("pid").toString()),
              dir,
              Map.of("HOME", dir.toString(), "FETCHMAILHOME", dir.toString()),
              null,
              60);
      assertEquals(0, r.exitCode(), r.output());
      String delivered = Files.readString(out, StandardCharsets.UTF_8);
      assertTrue(
          delivered.contains("Subject: Hello there") && delivered.contains("First body line"),
          delivered);
      assertTrue(
          delivered.contains("Subject: Report") && delivered.contains("JVBERi0xLjQK"), delivered);
      assertTrue(r.output().contains("2 messages for alice"), r.output());
      assertEquals(
          List.of(),
          t.backend.uids(TestServer.USER, "INBOX"),
          "fetched messages removed from server");
    }
  }
}
