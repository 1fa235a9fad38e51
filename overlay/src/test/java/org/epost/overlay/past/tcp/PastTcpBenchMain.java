package org.epost.overlay.past.tcp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.PastObject;

/**
 * Load driver (not a unit test): a 20-node PAST ring on loopback TCP with disk stores; N inserts then
 * N lookups of 4.7 KB objects with C in flight; prints ops/s and p50/p99 latency per phase.
 * Args: [operations=2000] [concurrency=32] [nodes=20] [store=log|files].
 */
public final class PastTcpBenchMain {
  public static void main(String[] args) throws Exception {
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    boolean log = args.length <= 3 || args[3].equals("log");
    Path dir = Files.createTempDirectory("past-bench");
    System.out.printf(Locale.ROOT, "%d nodes, %s store, %d ops, %d in flight, load average %.2f%n", nodes,
        log ? "log (group commit)" : "file-per-object", ops, concurrency,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    try (PastTcpRing ring = new PastTcpRing(nodes, dir, log)) {
      SplittableRandom r = new SplittableRandom(7);
      List<PastObject> objects = new ArrayList<>();
      for (int i = 0; i < ops; i++) {
        byte[] b = new byte[4700];
        r.nextBytes(b);
        objects.add(PastObject.immutable(b, Long.MAX_VALUE / 4));
      }
      phase("insert", ring, objects, concurrency, r, true);
      phase("lookup", ring, objects, concurrency, r, false);
    }
  }

  private static void phase(String name, PastTcpRing ring, List<PastObject> objects, int concurrency,
      SplittableRandom r, boolean insert) throws Exception {
    Semaphore permits = new Semaphore(concurrency);
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> all = new ArrayList<>();
    int[] failures = {0};
    long start = System.nanoTime();
    for (PastObject o : objects) {
      permits.acquire();
      PastTcpRing.Member m = ring.members.get(r.nextInt(ring.members.size()));
      long t0 = System.nanoTime();
      Id id = o.id();
      CompletableFuture<?> f = insert ? PastTcpRing.call(m, () -> m.past.insert(o))
          : PastTcpRing.call(m, () -> m.past.lookup(id));
      all.add(f.whenComplete((v, e) -> {
        latencies.add(System.nanoTime() - t0);
        if (e != null) {
          synchronized (failures) {
            failures[0]++;
          }
        }
        permits.release();
      }));
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).exceptionally(e -> null).get(5, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf(Locale.ROOT, "%s: %d ops in %.2f s = %.0f ops/s, p50 %.2f ms, p99 %.2f ms, failures %d%n", name,
        objects.size(), seconds, objects.size() / seconds, sorted.get(sorted.size() / 2) / 1e6,
        sorted.get((int) (sorted.size() * 0.99)) / 1e6, failures[0]);
  }
}
