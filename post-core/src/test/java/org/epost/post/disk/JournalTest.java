package org.epost.post.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The journal through real files: restart, torn tails, corruption, compaction, a real disk thread.
 */
class JournalTest {
  private static byte[] rec(int i, int len) {
    byte[] b = new byte[len];
    java.util.Arrays.fill(b, (byte) i);
    b[0] = (byte) (i + 1);
    return b;
  }

  @Test
  void recordsSurviveACrashAndATornTailIsCutToTheCompleteRecords() throws Exception {
    Path dir = Direct.dir("journal-");
    Path f = dir.resolve("t.journal");
    Journal j = Journal.open(f, "TEST", 1024, Runnable::run, Direct.LOOP);
    for (int i = 0; i < 10; i++) {
      Direct.done(j.append(rec(i, 100)));
    }
    // crash: the object is dropped without close; then a torn append (half a record) at the end
    long whole = Files.size(f);
    byte[] torn = new byte[60];
    torn[3] = 100; // a length of 100, but only 52 payload bytes made it
    Files.write(f, torn, StandardOpenOption.APPEND);
    Journal r = Journal.open(f, "TEST", 1024, Runnable::run, Direct.LOOP);
    assertEquals(10, r.recovered().size(), "every complete record");
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(rec(i, 100), r.recovered().get(i));
    }
    assertEquals(60, r.recoveredTailBytes());
    assertEquals(whole, Files.size(f), "the torn tail is cut off");
    Direct.done(r.append(rec(11, 50)));
    assertEquals(11, Journal.open(f, "TEST", 1024, Runnable::run, Direct.LOOP).recovered().size());
  }

  @Test
  void aDamagedRecordBeforeTheEndIsAClearErrorAndTheFileIsLeftAlone() throws Exception {
    Path f = Direct.dir("journal-").resolve("t.journal");
    Journal j = Journal.open(f, "TEST", 1024, Runnable::run, Direct.LOOP);
    for (int i = 0; i < 5; i++) {
      Direct.done(j.append(rec(i, 100)));
    }
    byte[] all = Files.readAllBytes(f);
    all[8 + 108 + 8 + 50] ^= 0x40; // a bit flips inside the second record
    Files.write(f, all);
    JournalCorruptException e =
        assertThrows(
            JournalCorruptException.class,
            () -> Journal.open(f, "TEST", 1024, Runnable::run, Direct.LOOP));
    assertEquals(116, e.offset());
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    System.out.println("corrupt journal: " + e.getMessage());
    assertArrayEquals(all, Files.readAllBytes(f), "not changed");
    assertThrows(
        JournalCorruptException.class,
        () -> Journal.open(f, "OTHR", 1024, Runnable::run, Direct.LOOP));
  }

  @Test
  void aRewriteReplacesTheRecordsAndLaterAppendsFollowIt() throws Exception {
    Path f = Direct.dir("journal-").resolve("t.journal");
    Journal j = Journal.open(f, "TEST", 1024, Runnable::run, Direct.LOOP);
    for (int i = 0; i < 50; i++) {
      j.append(rec(i, 200));
    }
    Direct.done(j.rewrite(List.of(rec(1, 10), rec(2, 10))));
    Direct.done(j.append(rec(3, 10)));
    assertEquals(8 + 3 * 18, Files.size(f));
    assertEquals(j.size(), Files.size(f));
    Journal r = Journal.open(f, "TEST", 1024, Runnable::run, Direct.LOOP);
    assertEquals(3, r.recovered().size());
    assertArrayEquals(rec(3, 10), r.recovered().get(2));
    assertTrue(
        j.append(new byte[1025]).toCompletableFuture().isCompletedExceptionally(),
        "over the bound");
  }

  @Test
  void onARealDiskThreadStagesCompleteOnTheLoopInOrder() throws Exception {
    Path f = Direct.dir("journal-").resolve("t.journal");
    ExecutorService disk = Executors.newSingleThreadExecutor();
    ExecutorService loopThread = Executors.newSingleThreadExecutor();
    try {
      org.epost.overlay.api.Scheduler loop =
          new org.epost.overlay.api.Scheduler() {
            @Override
            public org.epost.overlay.api.Cancellable schedule(long d, Runnable t) {
              throw new UnsupportedOperationException();
            }

            @Override
            public void execute(Runnable t) {
              loopThread.execute(t);
            }

            @Override
            public boolean inLoop() {
              return false;
            }
          };
      Journal j = Journal.open(f, "TEST", 1024, disk, loop);
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        all.add(j.append(rec(i, 64)).toCompletableFuture());
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
      j.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(
          500, Journal.open(f, "TEST", 1024, Runnable::run, Direct.LOOP).recovered().size());
    } finally {
      disk.shutdownNow();
      loopThread.shutdownNow();
    }
  }
}
