package org.epost.overlay.past.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL a writer mid-stream, several times: every acknowledged object survives, nothing
 * half-written is served. For both disk stores (file per object; log with group commit).
 */
class DiskObjectStoreCrashTest {

  @Test
  void acknowledgedObjectsSurviveSigkillAndNoTornObjectIsServed(@TempDir Path dir)
      throws Exception {
    List<long[]> acknowledged = killWriterTwice(dir, "files");
    DiskObjectStore store = DiskObjectStore.open(dir, 1L << 30, 1 << 20);
    assertSurvived(store, acknowledged);
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, tmp.count(), "interrupted writes are cleaned up at open");
    }
  }

  @Test
  void acknowledgedBatchesOfTheLogStoreSurviveSigkill(@TempDir Path dir) throws Exception {
    List<long[]> acknowledged = killWriterTwice(dir, "log");
    try (LogObjectStore store = LogObjectStore.open(dir, 1L << 30, 1 << 20, 256 * 1024)) {
      assertSurvived(store, acknowledged);
      assertEquals(0, store.damagedRecords(), "a crash tears only the unacknowledged tail");
    }
  }

  private static void assertSurvived(ObjectStore store, List<long[]> acknowledged) {
    for (long[] a : acknowledged) {
      byte[] b = StoreCrashWriter.content(a[0], (int) a[1]);
      PastObject got = store.get(PastObject.contentId(b));
      assertNotNull(got, "acknowledged object " + a[0] + "/" + a[1] + " survived SIGKILL");
      assertArrayEquals(b, got.bytes());
    }
    for (ObjectStore.Entry e : store.entries()) {
      PastObject o = store.get(e.id());
      assertTrue(o == null || o.isValid(), "no corrupt object is served");
    }
  }

  private static List<long[]> killWriterTwice(Path dir, String kind) throws Exception {
    List<long[]> acknowledged = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  StoreCrashWriter.class.getName(),
                  dir.toString(),
                  Integer.toString(round),
                  kind)
              .redirectErrorStream(true)
              .start();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        int seen = 0;
        while ((line = r.readLine()) != null) {
          String[] f = line.split(" ");
          if (f.length == 3 && f[0].equals("stored")) {
            acknowledged.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            if (++seen >= 40 + round * 17) {
              p.destroyForcibly(); // SIGKILL while the child is in the middle of its next put
              break;
            }
          } else {
            throw new AssertionError("child said: " + line);
          }
        }
      }
      p.waitFor();
    }
    return acknowledged;
  }
}
