package org.epost.mail.mailbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.epost.imap.api.TextSearch;
import org.epost.imap.api.TextSearch.Verdict;
import org.epost.mail.api.StoredMail;
import org.epost.mail.testing.LoopbackRing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a ring of four node runtimes: messages filed are kept in the encrypted cache and indexed in
 * the background; SEARCH BODY/TEXT verdicts come from the index; a read of a cached message returns
 * its bytes (the added header in front), a damaged cache file is read from the ring instead; the
 * index deleted while the account is closed is rebuilt from the store when it opens again.
 */
class SearchAndCacheRingTest {
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

  private static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(LoopbackRing.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static void eventually(String what, BooleanSupplier ok) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(LoopbackRing.WAIT_SECONDS);
    while (!ok.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "timed out waiting until " + what);
      Thread.sleep(50);
    }
  }

  private static byte[] message(String subject, String body) {
    return ("From: carol@ring.example\r\nTo: alice@ring.example\r\nSubject: "
            + subject
            + "\r\n\r\n"
            + body
            + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static Verdict[] verdicts(PostAccount a, String needle, boolean text, List<Long> uids) {
    TextSearch.Hits h = a.searchText("INBOX", needle, text);
    Verdict[] v = new Verdict[uids.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = h.verdict(uids.get(i));
    }
    return v;
  }

  @Test
  void filedMailIsCachedAndIndexedAndTheIndexIsRebuiltWhenLost() throws Exception {
    LoopbackRing.User alice = ring.enrol("alice@ring.example", 1);
    PostAccount a = ring.open(alice);
    byte[][] msgs = {
      message("Lunch", "Shall we meet for lunch at noon?"),
      message("Report", "The quarterly figures are attached."),
      message("Party", "Bring your own lunchbox."),
    };
    List<Long> uids = new ArrayList<>();
    byte[] added = "Authentication-Results: ring.example; epost=pass\r\n".getBytes();
    for (byte[] m : msgs) {
      StoredMail s = await(a.store(new ByteArrayInputStream(m)));
      uids.add(await(a.file("INBOX", s, added, Set.of())));
    }
    eventually("three messages are indexed", () -> a.textIndex().size() == 3);
    eventually("three messages are cached", () -> a.messageCache().size() == 3);

    assertArrayEquals(
        new Verdict[] {Verdict.MATCH, Verdict.NO_MATCH, Verdict.MATCH},
        verdicts(a, "LUNCH", false, uids));
    assertArrayEquals(
        new Verdict[] {Verdict.NO_MATCH, Verdict.MATCH, Verdict.NO_MATCH},
        verdicts(a, "report", true, uids),
        "TEXT sees the subject");
    assertArrayEquals(
        new Verdict[] {Verdict.MATCH, Verdict.MATCH, Verdict.MATCH},
        verdicts(a, "epost=pass", true, uids),
        "TEXT sees this copy's added header, which the index does not hold");

    PostAccount.Message first = a.messages("INBOX", List.of(uids.get(0))).get(0);
    byte[] expected = new byte[added.length + msgs[0].length];
    System.arraycopy(added, 0, expected, 0, added.length);
    System.arraycopy(msgs[0], 0, expected, added.length, msgs[0].length);
    try (InputStream in = a.read(first, 0, Long.MAX_VALUE)) {
      assertArrayEquals(expected, in.readAllBytes(), "from the cache");
    }
    try (InputStream in = a.read(first, added.length + 9, 11)) {
      assertEquals("Subject: Lu".length(), in.readAllBytes().length);
    }

    Path account = ring.services(alice).accountDirectory();
    try (Stream<Path> files = Files.list(account.resolve("cache"))) {
      for (Path f : files.toList()) {
        byte[] b = Files.readAllBytes(f);
        b[40] ^= 1;
        Files.write(f, b);
      }
    }
    try (InputStream in = a.read(first, 0, Long.MAX_VALUE)) {
      assertArrayEquals(expected, in.readAllBytes(), "a damaged cache file: read from the ring");
    }
    assertTrue(a.messageCache().size() < 3, "the damaged file is dropped");

    a.close();
    try (Stream<Path> files = Files.walk(account.resolve("text"))) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    ring.restart(1);
    PostAccount again = ring.open(alice);
    try {
      eventually("the lost index is rebuilt", () -> again.textIndex().size() == 3);
      assertArrayEquals(
          new Verdict[] {Verdict.MATCH, Verdict.NO_MATCH, Verdict.MATCH},
          verdicts(again, "lunch", false, uids));
    } finally {
      again.close();
    }
  }

  /**
   * The index does not commit (fsync) after every message, but an idle one commits on its own
   * shortly after the last (AccountIndexer.IDLE_COMMIT_MILLIS), without waiting for a close.
   */
  @Test
  void anIdleIndexCommitsWithoutAClose() throws Exception {
    LoopbackRing.User dave = ring.enrol("dave@ring.example", 2);
    PostAccount a = ring.open(dave);
    try {
      StoredMail s = await(a.store(new ByteArrayInputStream(message("Idle", "commit me"))));
      await(a.file("INBOX", s, new byte[0], Set.of()));
      eventually("the message is indexed", () -> a.textIndex().size() == 1);
      eventually("the idle index committed it", () -> !a.textIndex().hasUncommitted());
    } finally {
      a.close();
    }
  }
}
