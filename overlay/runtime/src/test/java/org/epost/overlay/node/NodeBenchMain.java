package org.epost.overlay.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.epost.overlay.past.api.PastObject;

/**
 * Load driver for real node processes (ADR 0094; docs/benchmarks.md): starts NODES node processes
 * over TLS on loopback ({@code run}, each with {@code -Xmx256m}), then through their control ports
 *
 * <ol>
 *   <li>puts OBJECTS immutable objects of SIZE bytes ({@code PUTB}) from THREADS connections spread
 *       over the nodes, and reports puts/s;
 *   <li>gets random ones of them ({@code GETB}, content checked against the id) for SECONDS
 *       seconds, and reports gets/s;
 *   <li>puts a FILE_MB MB file ({@code PUT}, chunks under a manifest) through node 0 and gets it
 *       back through another node ({@code GET}), compares SHA-256, and reports each node's peak
 *       heap.
 * </ol>
 *
 * <pre>
 * java -cp overlay/runtime/target/overlay-node.jar:overlay/runtime/target/test-classes \
 *   org.epost.overlay.node.NodeBenchMain [NODES=8] [OBJECTS=5000] [THREADS=32] [SECONDS=20] [FILE_MB=100]
 * </pre>
 */
public final class NodeBenchMain {
  static final int SIZE = 4_700;

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int objects = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    int fileMb = args.length > 4 ? Integer.parseInt(args[4]) : 100;
    Path tmp = Files.createTempDirectory("node-bench");
    List<Process> procs = new ArrayList<>();
    List<String> addrs = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> procs.forEach(Process::destroy)));
    try {
      for (int i = 0; i < nodes; i++) {
        int port = freePort();
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    NodeCommand.class.getName(),
                    "run",
                    "--listen",
                    "127.0.0.1:" + port,
                    "--data",
                    tmp.resolve("n" + i).toString()));
        if (i > 0) {
          cmd.addAll(List.of("--bootstrap", addrs.get(0)));
        }
        ProcessBuilder pb =
            new ProcessBuilder(cmd).redirectError(tmp.resolve("n" + i + ".err").toFile());
        pb.environment().put("EPOST_NODE_REGISTRY", tmp.resolve("registry").toString());
        Process p = pb.start();
        procs.add(p);
        String line =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        if (line == null || !line.startsWith("ready ")) {
          throw new IllegalStateException(
              "node " + i + ": " + line + " " + Files.readString(tmp.resolve("n" + i + ".err")));
        }
        addrs.add(line.split(" ")[2]);
      }
      System.out.println(
          nodes + " node processes ready (TLS on loopback, -Xmx256m); settling 10 s");
      Thread.sleep(10_000);
      List<Path> dirs = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        dirs.add(tmp.resolve("n" + i));
      }

      if (objects > 0) {
        objectRates(dirs, nodes, objects, threads, seconds);
      }
      // 3. a large file
      if (fileMb > 0) {
        Path file = tmp.resolve("big.bin");
        byte[] block = new byte[1 << 20];
        SplittableRandom r = new SplittableRandom(7);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var out = Files.newOutputStream(file)) {
          for (int i = 0; i < fileMb; i++) {
            r.nextBytes(block);
            md.update(block);
            out.write(block);
          }
        }
        byte[] hash = md.digest();
        long t0 = System.nanoTime();
        String put = one(dirs.get(0), "PUT " + file.toAbsolutePath());
        double s1 = (System.nanoTime() - t0) / 1e9;
        System.out.printf("file put: %s in %.1f s (%.1f MB/s)%n", put, s1, fileMb / s1);
        Path back = tmp.resolve("back.bin");
        t0 = System.nanoTime();
        String got =
            one(dirs.get(nodes / 2), "GET " + put.split(" ")[1] + " " + back.toAbsolutePath());
        double s2 = (System.nanoTime() - t0) / 1e9;
        System.out.printf("file get: %s in %.1f s (%.1f MB/s)%n", got, s2, fileMb / s2);
        System.out.println(
            "file identical: " + MessageDigest.isEqual(hash, sha256(back)) + " (SHA-256 compared)");
      }
      long maxPeak = 0;
      long maxLive = 0;
      for (int i = 0; i < nodes; i++) {
        for (String l : ControlClient.call(dirs.get(i), "STATUS", 10_000)) {
          if (l.startsWith("jvm ")) {
            System.out.println("node " + i + " " + l);
            for (String f : l.split(" ")) {
              if (f.startsWith("afterGcPeak=")) {
                maxLive = Math.max(maxLive, Long.parseLong(f.substring("afterGcPeak=".length())));
              }
              if (f.startsWith("heapPeak=")) {
                maxPeak = Math.max(maxPeak, Long.parseLong(f.substring(9)));
              }
            }
          }
          if (l.startsWith("past ")) {
            System.out.println("node " + i + " " + l.substring(0, Math.min(l.length(), 60)));
          }
        }
      }
      System.out.printf(
          "largest heap peak of a node: %.1f MiB (before a collection); largest heap after a"
              + " collection: %.1f MiB%n",
          maxPeak / 1048576.0, maxLive / 1048576.0);
    } finally {
      for (Process p : procs) {
        p.destroy();
      }
      for (Process p : procs) {
        p.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  /** Puts {@code objects} objects, then gets random ones for {@code seconds}; prints the rates. */
  private static void objectRates(List<Path> dirs, int nodes, int objects, int threads, int seconds)
      throws Exception {
    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    AtomicLong next = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long t0 = System.nanoTime();
    run(
        threads,
        t -> {
          SplittableRandom r = new SplittableRandom(t);
          try (ControlClient.Session s = ControlClient.Session.open(dirs.get(t % nodes), 120_000)) {
            while (next.getAndIncrement() < objects) {
              byte[] b = new byte[SIZE];
              r.nextBytes(b);
              String a = s.ask("PUTB " + Base64.getEncoder().encodeToString(b));
              if (a != null && a.startsWith("stored ")) {
                ids.add(a.split(" ")[1]);
              } else {
                failed.incrementAndGet();
                if (failed.get() < 5) {
                  System.out.println("put failed: " + a);
                }
              }
            }
          }
        });
    double putSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "puts: %d objects of %d bytes in %.1f s = %.0f puts/s (%d failed), %d connections%n",
        ids.size(), SIZE, putSeconds, ids.size() / putSeconds, failed.get(), threads);

    // 2. gets
    AtomicLong gets = new AtomicLong();
    AtomicLong bad = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    t0 = System.nanoTime();
    List<String> all = List.copyOf(ids);
    run(
        threads,
        t -> {
          Random r = new Random(t);
          try (ControlClient.Session s = ControlClient.Session.open(dirs.get(t % nodes), 120_000)) {
            while (System.nanoTime() < end) {
              String id = all.get(r.nextInt(all.size()));
              String a = s.ask("GETB " + id);
              if (a != null
                  && a.startsWith("data ")
                  && PastObject.contentId(Base64.getDecoder().decode(a.substring(5)))
                      .toHex()
                      .equals(id)) {
                gets.incrementAndGet();
              } else {
                bad.incrementAndGet();
              }
            }
          }
        });
    double getSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "gets: %d in %.1f s = %.0f gets/s (%d failed or wrong), %d connections%n",
        gets.get(), getSeconds, gets.get() / getSeconds, bad.get(), threads);
  }

  private static String one(Path dir, String cmd) throws IOException {
    List<String> l = ControlClient.call(dir, cmd, 3_600_000);
    return l.isEmpty() ? "(no answer)" : l.get(0);
  }

  private static byte[] sha256(Path f) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(f)) {
      byte[] b = new byte[1 << 16];
      int n;
      while ((n = in.read(b)) > 0) {
        md.update(b, 0, n);
      }
    }
    return md.digest();
  }

  interface Worker {
    void run(int thread) throws Exception;
  }

  private static void run(int threads, Worker w) throws InterruptedException {
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th =
          new Thread(
              () -> {
                try {
                  w.run(id);
                } catch (Exception e) {
                  System.out.println("worker " + id + ": " + e);
                }
              });
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      th.join();
    }
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
