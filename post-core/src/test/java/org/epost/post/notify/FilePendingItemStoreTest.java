package org.epost.post.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletionException;
import org.epost.overlay.api.Id;
import org.epost.post.disk.Direct;
import org.junit.jupiter.api.Test;

/** The pending store on disk, through real files: restart, torn tail, bounds, compaction. */
class FilePendingItemStoreTest {
  private static final Id INBOX = Id.fromHex("00112233445566778899aabbccddeeff00112233");

  private static byte[] bytes(int i, int len) {
    byte[] b = new byte[len];
    java.util.Arrays.fill(b, (byte) i);
    return b;
  }

  private static byte[] id(int i) {
    return java.nio.ByteBuffer.allocate(16).putInt(i).array();
  }

  @Test
  void itemsSurviveARestartAndATornTailKeepsTheCompleteOnes() throws Exception {
    Path dir = Direct.dir("pending-");
    NotifyConfig config = NotifyConfig.defaults();
    FilePendingItemStore s = FilePendingItemStore.open(dir, Runnable::run, Direct.LOOP, config);
    for (int i = 0; i < 20; i++) {
      Direct.done(s.put(INBOX, bytes(i, 16), bytes(100 + i, 16), 1_000_000L + i, bytes(i, 900)));
    }
    s.remove(INBOX, bytes(3, 16));
    // crash (no close) and a half-written record at the end
    Files.write(
        dir.resolve("pending.journal"),
        new byte[] {0, 0, 3, (byte) 200, 1, 2, 3},
        StandardOpenOption.APPEND);
    FilePendingItemStore r = FilePendingItemStore.open(dir, Runnable::run, Direct.LOOP, config);
    assertEquals(19, r.size());
    assertEquals(7, r.recoveredTailBytes());
    assertNull(r.get(INBOX, bytes(3, 16)), "the removal survived too");
    assertArrayEquals(bytes(7, 900), r.get(INBOX, bytes(7, 16)));
    PendingItemStore.Item first = r.held().get(0);
    assertArrayEquals(bytes(100, 16), first.token());
    assertEquals(1_000_000L, first.expiresAt());
  }

  @Test
  void aFullStoreRefusesAndTheFileStaysBoundedUnderChurn() throws Exception {
    Path dir = Direct.dir("pending-");
    NotifyConfig config =
        NotifyConfig.defaults()
            .withQuotas(512, 32 << 10, 32, 16 << 10, 64)
            .withStoreBounds(20_000, 64 << 10);
    FilePendingItemStore s = FilePendingItemStore.open(dir, Runnable::run, Direct.LOOP, config);
    int i = 0;
    while (!s.put(INBOX, id(i), bytes(0, 16), 1L, bytes(i, 1000))
        .toCompletableFuture()
        .isCompletedExceptionally()) {
      i++;
    }
    var refused = s.put(INBOX, id(i), bytes(0, 16), 1L, bytes(i, 1000)).toCompletableFuture();
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, refused::join);
    assertTrue(
        e.getCause() instanceof IOException
            && e.getCause().getMessage().startsWith("pending store full"),
        e.getCause().getMessage());
    assertEquals((64 << 10) / 1000, i, "64 KiB of 1,000-byte items");
    long max = 0;
    for (int round = 0; round < 3000; round++) {
      s.remove(INBOX, id(round % 60));
      Direct.done(s.put(INBOX, id(round % 60), bytes(0, 16), 1L, bytes(round, 1000)));
      max = Math.max(max, Files.size(dir.resolve("pending.journal")));
    }
    assertTrue(
        max <= 2 * (64 << 10) * 1.1 + (1 << 20) + 2000, "journal bounded by compaction: " + max);
    System.out.println("pending store: largest journal under churn " + max + " bytes");
    FilePendingItemStore r = FilePendingItemStore.open(dir, Runnable::run, Direct.LOOP, config);
    assertEquals(s.size(), r.size());
    assertArrayEquals(bytes(2999, 1000), r.get(INBOX, id(2999 % 60)));
  }
}
