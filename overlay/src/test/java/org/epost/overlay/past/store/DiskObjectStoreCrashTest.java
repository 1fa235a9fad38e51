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
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGKILL a writer mid-stream, several times: every acknowledged object survives, nothing half-written is served. */
class DiskObjectStoreCrashTest {

  @Test
  void acknowledgedObjectsSurviveSigkillAndNoTornObjectIsServed(@TempDir Path dir) throws Exception {
    List<long[]> acknowledged = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          StoreCrashWriter.class.getName(), dir.toString(), Integer.toString(round))
          .redirectErrorStream(true).start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
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
    DiskObjectStore store = DiskObjectStore.open(dir, 1L << 30, 1 << 20);
    for (long[] a : acknowledged) {
      byte[] b = new byte[16 * 1024 + (int) a[1] % 5000];
      new SplittableRandom(a[0] * 1_000_003 + a[1]).nextBytes(b);
      PastObject got = store.get(PastObject.contentId(b));
      assertNotNull(got, "acknowledged object " + a[0] + "/" + a[1] + " survived SIGKILL");
      assertArrayEquals(b, got.bytes());
    }
    for (ObjectStore.Entry e : store.entries()) {
      PastObject o = store.get(e.id());
      assertTrue(o == null || o.isValid(), "no corrupt object is served");
    }
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, tmp.count(), "interrupted writes are cleaned up at open");
    }
  }
}
