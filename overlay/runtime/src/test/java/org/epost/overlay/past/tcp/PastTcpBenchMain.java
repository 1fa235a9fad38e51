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
 * Load driver (not a unit test): a 20-node PAST ring on loopback TCP with disk stores; N inserts
 * then N lookups of 4.7 KB objects with C in flight; prints ops/s and p50/p99 latency per phase.
 * Args: [operations=2000] [concurrency=32] [nodes=20] [store=log|files].
 */
public final class PastTcpBenchMain {
  public static void main(String[] args) throws Exception {
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    boolean log = args.length <= 3 || args[3].equals("log");
    Path dir = Files.createTempDirectory("past-bench");
    System.out.printf(
        Locale.ROOT,
        "%d nodes, %s store, %d ops, %d in flight, load average %.2f%n",
        nodes,
        log ? "log (group commit)" : "file-per-object",
        ops,
        concurrency,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    try (PastTcpRing ring = new PastTcpRing(nodes, dir, log)) {
      SplittableRandom r = new SplittableRandom(7);
      List<PastObject> objects = new ArrayList<>();
      for (int i = 0; i < ops; i++) {
        byte[] b = new byte[4700];
        r.nextBytes(b);
        objects.add(PastObject.immutable(b, Long.MAX_VALUE / 4));
      }
      diagnose("start", ring);
      phase("insert", ring, objects, concurrency, r, true);
      diagnose("after inserts", ring);
      phase("lookup", ring, objects, concurrency, r, false);
      diagnose("after lookups", ring);
    }
  }

  /**
   * One line of ring health: leaf-set sizes, reroutes, drops, transport drops (diagnosis of
   * stalls).
   */
  static void diagnose(String when, PastTcpRing ring) {
    int minLeaf = Integer.MAX_VALUE;
    int maxLeaf = 0;
    long reroutes = 0;
    long dropped = 0;
    long queueFull = 0;
    long maxLagMicros = 0;
    for (PastTcpRing.Member m : ring.members) {
      long t = System.nanoTime();
      PastTcpRing.on(m, () -> null);
      maxLagMicros = Math.max(maxLagMicros, (System.nanoTime() - t) / 1000);
      int leaf = PastTcpRing.on(m, () -> m.node.leafSet().size());
      minLeaf = Math.min(minLeaf, leaf);
      maxLeaf = Math.max(maxLeaf, leaf);
      reroutes += PastTcpRing.on(m, () -> m.node.statistics().reroutes());
      dropped += PastTcpRing.on(m, () -> m.node.statistics().droppedMessages());
      queueFull += m.transport.statistics().droppedQueueFull();
    }
    System.out.printf(
        Locale.ROOT,
        "[%s] leaf sets %d..%d of %d, reroutes %d, routed messages dropped %d, "
            + "frames dropped for a full peer queue %d, slowest loop answered in %.1f ms%n",
        when,
        minLeaf,
        maxLeaf,
        ring.members.size() - 1,
        reroutes,
        dropped,
        queueFull,
        maxLagMicros / 1e3);
  }

  private static void phase(
      String name,
      PastTcpRing ring,
      List<PastObject> objects,
      int concurrency,
      SplittableRandom r,
      boolean insert)
      throws Exception {
    Semaphore permits = new Semaphore(concurrency);
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> all = new ArrayList<>();
    int[] failures = {0};
    long start = System.nanoTime();
    java.util.concurrent.atomic.AtomicInteger done =
        new java.util.concurrent.atomic.AtomicInteger();
    Thread progress =
        new Thread(
            () -> {
              try {
                while (true) {
                  Thread.sleep(2_000);
                  System.out.printf(
                      Locale.ROOT,
                      "  %s t=%.0f s: %d done, %d failed%n",
                      name,
                      (System.nanoTime() - start) / 1e9,
                      done.get(),
                      failures[0]);
                  diagnose("  " + name, ring);
                }
              } catch (InterruptedException e) {
                // phase over
              }
            });
    progress.setDaemon(true);
    progress.start();
    for (PastObject o : objects) {
      permits.acquire();
      PastTcpRing.Member m = ring.members.get(r.nextInt(ring.members.size()));
      long t0 = System.nanoTime();
      Id id = o.id();
      CompletableFuture<?> f =
          insert
              ? PastTcpRing.call(m, () -> m.past.insert(o))
              : PastTcpRing.call(m, () -> m.past.lookup(id));
      all.add(
          f.whenComplete(
              (v, e) -> {
                latencies.add(System.nanoTime() - t0);
                done.incrementAndGet();
                if (e != null) {
                  synchronized (failures) {
                    failures[0]++;
                    if (failures[0] <= 3) {
                      System.out.printf(
                          Locale.ROOT,
                          "  %s failed after %.1f s: %s%n",
                          name,
                          (System.nanoTime() - t0) / 1e9,
                          e instanceof java.util.concurrent.CompletionException
                                  && e.getCause() != null
                              ? e.getCause()
                              : e);
                    }
                  }
                }
                permits.release();
              }));
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture[0]))
        .exceptionally(e -> null)
        .get(5, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    progress.interrupt();
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "%s: %d ops in %.2f s = %.0f ops/s, p50 %.2f ms, p99 %.2f ms, failures %d%n",
        name,
        objects.size(),
        seconds,
        objects.size() / seconds,
        sorted.get(sorted.size() / 2) / 1e6,
        sorted.get((int) (sorted.size() * 0.99)) / 1e6,
        failures[0]);
  }
}
