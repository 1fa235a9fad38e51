package org.epost.mail.mailbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.epost.imap.api.MessageRecord;
import org.epost.mail.api.MailException;
import org.epost.mail.api.StoredMail;
import org.epost.mail.testing.LoopbackRing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An account on a real ring of four node runtimes on loopback: the special folders at first start,
 * a message filed and read back byte for byte, flags, folders created, renamed with their children
 * and deleted, and UIDs, UIDVALIDITY and flags unchanged after the node restarts.
 */
class MailboxRingTest {
  @TempDir static Path tmp;
  static LoopbackRing ring;

  @BeforeAll
  static void start() throws Exception {
    ring = LoopbackRing.start(tmp, 4);
  }

  @AfterAll
  static void stop() {
    if (ring != null) {
      ring.close();
    }
  }

  private static long t0 = System.nanoTime();

  private static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
    System.out.printf("step at %.1f s%n", (System.nanoTime() - t0) / 1e9);
    return s.toCompletableFuture().get(LoopbackRing.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static byte[] message(String subject, int bodyBytes) {
    StringBuilder b = new StringBuilder();
    b.append("From: carol@ring.example\r\nTo: alice@ring.example\r\nSubject: ")
        .append(subject)
        .append("\r\nMessage-ID: <")
        .append(subject.hashCode())
        .append("@ring.example>\r\n\r\n");
    while (b.length() < bodyBytes) {
      b.append("All work and no play makes Jack a dull boy.\r\n");
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] readAll(PostAccount a, String folder, long uid) throws Exception {
    PostAccount.Message m = a.messages(folder, List.of(uid)).get(0);
    try (InputStream in = a.read(m, 0, Long.MAX_VALUE)) {
      return in.readAllBytes();
    }
  }

  @Test
  void anAccountFilesReadsRenamesAndKeepsItsUidsAcrossARestart() throws Exception {
    LoopbackRing.User alice = ring.enrol("alice@ring.example", 1);
    PostAccount a = ring.open(alice);
    assertEquals(
        List.of("INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"),
        a.folders().stream().map(FolderInfo::name).collect(Collectors.toList()));

    byte[] small = message("hello", 2_000);
    byte[] large = message("large", 300_000);
    StoredMail s1 = await(a.store(new ByteArrayInputStream(small)));
    StoredMail s2 = await(a.store(new ByteArrayInputStream(large)));
    byte[] added = "Authentication-Results: ring.example; epost=pass\r\n".getBytes();
    long u1 = await(a.file("inbox", s1, added, Set.of()));
    long u2 = await(a.file("INBOX", s2, new byte[0], Set.of("\\Seen")));
    assertEquals(1, u1);
    assertEquals(2, u2);

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(added);
    expected.write(small);
    assertArrayEquals(expected.toByteArray(), readAll(a, "INBOX", u1));
    assertArrayEquals(large, readAll(a, "INBOX", u2));

    FolderView inbox = a.view("INBOX");
    assertEquals(2, inbox.messages().size());
    assertEquals(expected.size(), inbox.messages().get(0).size());
    long modSeqBefore = inbox.highestModSeq();

    PostAccount.FlagResult fr =
        await(
            a.storeFlags(
                "INBOX", List.of(u1), 0, Set.of("\\Flagged", "$Important"), Long.MAX_VALUE));
    assertEquals(Set.of("\\Flagged", "$Important"), fr.records().get(u1).flags());
    assertTrue(fr.records().get(u1).modSeq() > modSeqBefore);
    // UNCHANGEDSINCE below the message's MODSEQ leaves it alone
    PostAccount.FlagResult refused =
        await(a.storeFlags("INBOX", List.of(u1), 2, Set.of(), modSeqBefore));
    assertEquals(List.of(u1), refused.modified());
    assertEquals(1, a.changesSince("INBOX", modSeqBefore).changed().size());

    await(a.createFolder("Work/Projects"));
    await(a.renameFolder("Work", "Jobs"));
    Set<String> names = a.folders().stream().map(FolderInfo::name).collect(Collectors.toSet());
    assertTrue(names.containsAll(Set.of("Jobs", "Jobs/Projects")), names.toString());
    assertTrue(!names.contains("Work") && !names.contains("Work/Projects"), names.toString());
    PostAccount.Copied c = await(a.copy("INBOX", List.of(u1, u2), "Jobs/Projects"));
    assertEquals(List.of(1L, 2L), c.targetUids());
    assertArrayEquals(large, readAll(a, "Jobs/Projects", 2));
    await(a.deleteFolder("Jobs/Projects"));
    assertThrows(MailException.class, () -> a.view("Jobs/Projects"));
    MailException noInbox =
        assertThrows(MailException.class, () -> a.await(a.deleteFolder("INBOX")));
    assertEquals(MailException.Kind.CANNOT, noInbox.kind());

    // expunge: only \Deleted messages go
    await(a.storeFlags("INBOX", List.of(u2), 0, Set.of("\\Deleted"), Long.MAX_VALUE));
    assertEquals(List.of(u2), await(a.expunge("INBOX", null)));
    long afterExpunge = a.view("INBOX").highestModSeq();
    assertEquals(List.of(u2), a.changesSince("INBOX", afterExpunge - 1).expunged());

    FolderView before = a.view("INBOX");
    long validity = before.uidValidity();
    a.close();

    ring.restart(1);
    PostAccount again = ring.open(alice);
    try {
      FolderView after = again.view("INBOX");
      assertEquals(validity, after.uidValidity());
      assertEquals(before.uidNext(), after.uidNext());
      assertEquals(before.highestModSeq(), after.highestModSeq());
      assertEquals(
          before.messages().stream().map(MessageRecord::uid).collect(Collectors.toList()),
          after.messages().stream().map(MessageRecord::uid).collect(Collectors.toList()));
      assertEquals(Set.of("\\Flagged", "$Important"), after.messages().get(0).flags());
      assertSame(
          after.messages(),
          again.view("INBOX").messages(),
          "the listing gathered at open serves every SELECT until the folder changes");
      assertArrayEquals(expected.toByteArray(), readAll(again, "INBOX", u1));
      assertTrue(again.folders().stream().anyMatch(f -> f.name().equals("Jobs")));
      // a new message continues the UIDs
      long u3 = await(again.file("INBOX", s2, new byte[0], Set.of()));
      assertEquals(3, u3);
    } finally {
      again.close();
    }
  }
}
