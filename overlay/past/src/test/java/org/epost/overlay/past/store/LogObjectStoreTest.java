package org.epost.overlay.past.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log-structured store with group commit (ADR 0087): same contract as the file-per-object
 * store.
 */
class LogObjectStoreTest {
  private static PastObject object(int seed, int size) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return PastObject.immutable(b, 1_000_000);
  }

  @Test
  void objectsSurviveReopenWithTheirLeaseAndDeletesStayDeleted(@TempDir Path dir) {
    PastObject o = object(1, 4700);
    PastObject gone = object(2, 4700);
    long used;
    try (LogObjectStore s = LogObjectStore.open(dir, 1 << 20, 1 << 16)) {
      assertEquals(ObjectStore.PutResult.STORED, s.put(o));
      assertEquals(ObjectStore.PutResult.ALREADY_PRESENT, s.put(o));
      assertEquals(ObjectStore.PutResult.STORED, s.put(gone));
      assertTrue(s.setExpiry(o.id(), 5_000_000));
      assertTrue(s.delete(gone.id()));
      used = s.usedBytes();
    }
    try (LogObjectStore again = LogObjectStore.open(dir, 1 << 20, 1 << 16)) {
      assertEquals(o.withExpiry(5_000_000), again.get(o.id()));
      assertNull(again.get(gone.id()));
      assertEquals(used, again.usedBytes());
      assertEquals(LogObjectStore.recordBytes(4700), again.usedBytes());
      assertEquals(
          List.of(o.id()),
          again.entries().stream().map(ObjectStore.Entry::id).collect(Collectors.toList()));
    }
  }

  @Test
  void aBatchIsMadeDurableByOneSync(@TempDir Path dir) {
    try (LogObjectStore s = LogObjectStore.open(dir, 1 << 22, 0)) {
      long before = s.syncCount();
      s.put(object(1, 4700)); // outside a batch: synced on its own
      assertEquals(before + 1, s.syncCount());
      s.beginBatch();
      for (int i = 10; i < 30; i++) {
        s.put(object(i, 4700));
      }
      assertEquals(before + 1, s.syncCount(), "nothing synced inside the batch");
      assertNotNull(s.get(object(15, 4700).id()), "reads see the batch's writes");
      s.commit();
      assertEquals(before + 2, s.syncCount(), "twenty puts, one sync");
    }
    try (LogObjectStore again = LogObjectStore.open(dir, 1 << 22, 0)) {
      assertEquals(21, again.entries().size());
    }
  }

  @Test
  void aBatchBelongsToTheThreadThatBeganIt(@TempDir Path dir) throws Exception {
    try (LogObjectStore s = LogObjectStore.open(dir, 1 << 22, 0)) {
      s.beginBatch();
      long before = s.syncCount();
      Thread other = new Thread(() -> s.put(object(5, 100)));
      other.start();
      other.join();
      assertEquals(before + 1, s.syncCount(), "another thread's put is durable when it returns");
      assertThrows(
          IllegalStateException.class,
          () -> {
            Throwable[] t = new Throwable[1];
            Thread c =
                new Thread(
                    () -> {
                      try {
                        s.commit();
                      } catch (Throwable e) {
                        t[0] = e;
                      }
                    });
            c.start();
            c.join();
            if (t[0] instanceof IllegalStateException) {
              throw (IllegalStateException) t[0];
            }
          });
      s.commit();
    }
  }

  @Test
  void aFullStoreRefusesWithAClearErrorAndKeepsWhatItHas(@TempDir Path dir) {
    try (LogObjectStore s = LogObjectStore.open(dir, 3 * LogObjectStore.recordBytes(4700), 0)) {
      for (int i = 0; i < 3; i++) {
        s.put(object(i, 4700));
      }
      PastException.QuotaExceededException e =
          assertThrows(PastException.QuotaExceededException.class, () -> s.put(object(9, 4700)));
      assertTrue(e.getMessage().contains("full"), e.getMessage());
      assertTrue(s.usedBytes() <= s.quotaBytes());
      for (int i = 0; i < 3; i++) {
        assertNotNull(s.get(object(i, 4700).id()));
      }
    }
  }

  @Test
  void compactionKeepsTheFilesOnDiskBoundedUnderChurn(@TempDir Path dir) throws Exception {
    long segment = 256 * 1024;
    long quota = 1 << 20;
    try (LogObjectStore s = LogObjectStore.open(dir, quota, 0, segment)) {
      PastObject keep = object(-1, 4700);
      s.put(keep);
      for (int i = 0; i < 2_000; i++) { // ~9.5 MB written, at most ~10 objects live at a time
        PastObject o = object(i, 4700);
        s.put(o);
        assertTrue(s.setExpiry(o.id(), 2_000_000));
        if (i >= 10) {
          assertTrue(s.delete(object(i - 10, 4700).id()));
        }
        assertTrue(s.diskBytes() <= 2 * quota + 2 * segment, "disk " + s.diskBytes());
      }
      assertEquals(keep, s.get(keep.id()));
      long files;
      try (Stream<Path> l = Files.list(dir.resolve("log"))) {
        files = l.mapToLong(p -> p.toFile().length()).sum();
      }
      assertEquals(s.diskBytes(), files, "the accounting matches the files");
    }
    try (LogObjectStore again = LogObjectStore.open(dir, quota, 0, segment)) {
      assertEquals(11, again.entries().size());
      assertEquals(2_000_000, again.get(object(1_995, 4700).id()).expiryMillis());
    }
  }

  @Test
  void aTornTailIsTruncatedAtOpenAndEverythingBeforeItKept(@TempDir Path dir) throws Exception {
    PastObject a = object(1, 3000);
    PastObject b = object(2, 3000);
    try (LogObjectStore s = LogObjectStore.open(dir, 1 << 20, 0)) {
      s.put(a);
      s.put(b);
    }
    Path seg = onlySegment(dir);
    long full = Files.size(seg);
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      ch.truncate(full - 1000); // b's record torn by a crash mid-write
    }
    try (LogObjectStore again = LogObjectStore.open(dir, 1 << 20, 0)) {
      assertEquals(a, again.get(a.id()));
      assertNull(again.get(b.id()), "a torn record is never served");
      assertEquals(LogObjectStore.recordBytes(3000), Files.size(seg), "the tail was cut off");
      PastObject c = object(3, 3000);
      again.put(c); // appends after the cut, not after garbage
    }
    try (LogObjectStore third = LogObjectStore.open(dir, 1 << 20, 0)) {
      assertEquals(2, third.entries().size());
      assertNotNull(third.get(object(3, 3000).id()));
    }
  }

  @Test
  void aCorruptedRecordReadsAsAbsentAndDoesNotCostTheRecordsAfterIt(@TempDir Path dir)
      throws Exception {
    PastObject a = object(1, 3000);
    PastObject b = object(2, 3000);
    PastObject c = object(3, 3000);
    try (LogObjectStore s = LogObjectStore.open(dir, 1 << 20, 0)) {
      s.put(a);
      s.put(b);
      s.put(c);
      flip(
          onlySegment(dir),
          LogObjectStore.recordBytes(3000) + LogObjectStore.HEADER + 10); // inside b
      assertNull(s.get(b.id()), "a bit flip on disk is never served");
      assertEquals(a, s.get(a.id()));
    }
    flip(
        onlySegment(dir),
        LogObjectStore.recordBytes(3000) + 2); // and b's magic: replay must resync
    try (LogObjectStore again = LogObjectStore.open(dir, 1 << 20, 0)) {
      assertEquals(a, again.get(a.id()));
      assertNull(again.get(b.id()));
      assertEquals(c, again.get(c.id()), "records after the damage survive");
      assertEquals(1, again.damagedRecords());
    }
  }

  @Test
  void aMutableObjectKeepsItsHighestVersionAcrossReopen(@TempDir Path dir) {
    SigningKeyPair owner = SigningKeyPair.generate(new SecureRandom());
    byte[] label = "head".getBytes(StandardCharsets.UTF_8);
    PastObject v1 = PastObject.mutable(owner, label, 1, new byte[] {1}, 1_000_000).verify();
    PastObject v2 = PastObject.mutable(owner, label, 2, new byte[] {2}, 1_000_000).verify();
    PastObject v3 = PastObject.mutable(owner, label, 3, new byte[] {3}, 1_000_000).verify();
    try (LogObjectStore s = LogObjectStore.open(dir, 1 << 20, 0)) {
      assertEquals(ObjectStore.PutResult.STORED, s.put(v2));
      assertEquals(ObjectStore.PutResult.ALREADY_PRESENT, s.put(v1));
      assertEquals(ObjectStore.PutResult.STORED, s.put(v3));
    }
    try (LogObjectStore again = LogObjectStore.open(dir, 1 << 20, 0)) {
      assertEquals(3, again.get(v1.id()).sequence());
      assertEquals(ObjectStore.PutResult.ALREADY_PRESENT, again.put(v2));
    }
  }

  private static Path onlySegment(Path dir) throws Exception {
    try (Stream<Path> l = Files.list(dir.resolve("log"))) {
      List<Path> segs = l.collect(Collectors.toList());
      assertEquals(1, segs.size());
      return segs.get(0);
    }
  }

  private static void flip(Path f, long at) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, at);
      one.put(0, (byte) (one.get(0) ^ 1));
      one.rewind();
      ch.write(one, at);
    }
  }
}
