package org.epost.overlay.past.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stores' format versions (ADR 0092): version 2 holds wall-time expiries; a store written with
 * process-relative expiries (version 1) refuses to open with a clear error and is never read with
 * another meaning, nor deleted as damaged.
 */
class StoreFormatTest {
  private static final long W = java.time.Instant.parse("2026-02-01T00:00:00Z").toEpochMilli();

  private static PastObject object(int seed) {
    byte[] b = new byte[100];
    new SplittableRandom(seed).nextBytes(b);
    return PastObject.immutable(b, W);
  }

  @Test
  void theDiskStoreKeepsAWallExpiryAndRefusesAVersionOneFile(@TempDir Path dir) throws Exception {
    PastObject o = object(1);
    DiskObjectStore s = DiskObjectStore.open(dir, 1 << 20, 0);
    s.put(o);
    Path f = s.pathOf(o.id());
    byte[] v2 = Files.readAllBytes(f);
    assertEquals(2, v2[4]);
    assertEquals(W, DiskObjectStore.open(dir, 1 << 20, 0).entries().get(0).expiryMillis());

    // The same file as version 1 wrote it: same layout, version byte 1, a valid CRC.
    byte[] v1 = v2.clone();
    v1[4] = 1;
    CRC32C crc = new CRC32C();
    crc.update(v1, 0, v1.length - 4);
    ByteBuffer.wrap(v1, v1.length - 4, 4).putInt((int) crc.getValue());
    Files.write(f, v1);
    PastException.StorageException e =
        assertThrows(
            PastException.StorageException.class, () -> DiskObjectStore.open(dir, 1 << 20, 0));
    assertTrue(e.getMessage().contains("format version 1"), e.getMessage());
    assertTrue(e.getMessage().contains("move the store directory away"), e.getMessage());
    assertTrue(Files.exists(f), "an old store is not deleted as damaged");
  }

  @Test
  void theLogStoreWritesItsFormatAndRefusesALogWithout(@TempDir Path dir) {
    PastObject o = object(2);
    try (LogObjectStore s = LogObjectStore.open(dir, 1 << 20, 0)) {
      s.put(o);
    }
    Path format = dir.resolve("log.format");
    assertEquals(
        LogObjectStore.FORMAT_LINE + "\n",
        new String(readAll(format), StandardCharsets.UTF_8),
        "written at creation");
    try (LogObjectStore again = LogObjectStore.open(dir, 1 << 20, 0)) {
      assertNotNull(again.get(o.id()));
      assertEquals(W, again.entries().get(0).expiryMillis());
    }

    // A version-1 log: segments and no log.format.
    delete(format);
    PastException.StorageException e =
        assertThrows(
            PastException.StorageException.class, () -> LogObjectStore.open(dir, 1 << 20, 0));
    assertTrue(e.getMessage().contains("epost-past-log 1"), e.getMessage());
    assertTrue(e.getMessage().contains("move the store directory away"), e.getMessage());
  }

  private static byte[] readAll(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
