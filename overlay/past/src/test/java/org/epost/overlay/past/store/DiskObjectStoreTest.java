package org.epost.overlay.past.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskObjectStoreTest {
  private static PastObject object(int seed, int size) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return PastObject.immutable(b, 1_000_000);
  }

  @Test
  void objectsSurviveReopenWithTheirLease(@TempDir Path dir) {
    DiskObjectStore s = DiskObjectStore.open(dir, 1 << 20, 1 << 16);
    PastObject o = object(1, 4700);
    assertEquals(ObjectStore.PutResult.STORED, s.put(o));
    assertEquals(ObjectStore.PutResult.ALREADY_PRESENT, s.put(o));
    assertTrue(s.setExpiry(o.id(), 5_000_000));
    DiskObjectStore again = DiskObjectStore.open(dir, 1 << 20, 1 << 16);
    PastObject got = again.get(o.id());
    assertEquals(o.withExpiry(5_000_000), got);
    assertEquals(s.usedBytes(), again.usedBytes());
    assertTrue(again.delete(o.id()));
    assertNull(again.get(o.id()));
    assertEquals(0, again.usedBytes());
  }

  @Test
  void aFullStoreRefusesWithAClearErrorAndKeepsWhatItHas(@TempDir Path dir) {
    DiskObjectStore s = DiskObjectStore.open(dir, 3 * DiskObjectStore.fileBytes(4700), 0);
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

  @Test
  void theReadCacheStaysWithinItsBound(@TempDir Path dir) {
    long bound = 3 * 4700 + 100;
    DiskObjectStore s = DiskObjectStore.open(dir, 1 << 24, bound);
    for (int i = 0; i < 50; i++) {
      PastObject o = object(i, 4700);
      s.put(o);
      assertEquals(o, s.get(o.id()));
      assertTrue(s.cachedBytes() <= bound, "cache holds " + s.cachedBytes() + " > " + bound);
    }
    assertTrue(s.cachedBytes() > 0);
  }

  @Test
  void aCorruptedFileReadsAsAbsentAndIsDropped(@TempDir Path dir) throws Exception {
    DiskObjectStore s = DiskObjectStore.open(dir, 1 << 20, 0);
    PastObject o = object(3, 1000);
    s.put(o);
    Path f = s.pathOf(o.id());
    byte[] raw = Files.readAllBytes(f);
    raw[DiskObjectStore.HEADER + 10] ^= 1;
    Files.write(f, raw);
    assertNull(s.get(o.id()), "a bit flip on disk is never served");
    assertTrue(Files.notExists(f));
    assertEquals(0, s.usedBytes());
  }

  @Test
  void aTruncatedFileAndLeftoverTemporaryFilesAreDroppedAtOpen(@TempDir Path dir) throws Exception {
    DiskObjectStore s = DiskObjectStore.open(dir, 1 << 20, 0);
    PastObject o = object(4, 1000);
    s.put(o);
    Path f = s.pathOf(o.id());
    try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(500);
    }
    Files.writeString(dir.resolve("tmp").resolve("x.0.tmp"), "half");
    DiskObjectStore again = DiskObjectStore.open(dir, 1 << 20, 0);
    assertNull(again.get(o.id()));
    assertEquals(0, again.entries().size());
    assertTrue(Files.notExists(dir.resolve("tmp").resolve("x.0.tmp")));
  }

  @Test
  void aMutableObjectKeepsItsHighestVersion(@TempDir Path dir) {
    SigningKeyPair owner = SigningKeyPair.generate(new SecureRandom());
    byte[] label = "head".getBytes(StandardCharsets.UTF_8);
    PastObject v1 = PastObject.mutable(owner, label, 1, new byte[] {1}, 1_000_000).verify();
    PastObject v2 = PastObject.mutable(owner, label, 2, new byte[] {2}, 1_000_000).verify();
    DiskObjectStore s = DiskObjectStore.open(dir, 1 << 20, 0);
    assertEquals(ObjectStore.PutResult.STORED, s.put(v2));
    assertEquals(ObjectStore.PutResult.ALREADY_PRESENT, s.put(v1));
    assertEquals(2, DiskObjectStore.open(dir, 1 << 20, 0).get(v1.id()).sequence());
  }

  @Test
  void theMemoryStoreHasTheSameQuotaAndVersionRules() {
    MemoryObjectStore m = new MemoryObjectStore(2 * 4700);
    m.put(object(1, 4700));
    m.put(object(2, 4700));
    assertThrows(PastException.QuotaExceededException.class, () -> m.put(object(3, 4700)));
    assertEquals(2 * 4700, m.usedBytes());
  }
}
