package org.epost.overlay.transport.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.epost.overlay.api.Id;

/**
 * Benchmark (test scope; ADR 0097): a ring of Pastry nodes on loopback, one of them (the victim)
 * under a flood of silent TCP connects; measures how long new nodes take to join through the
 * victim, and routes (from every node, and those that start or end at the victim) before and during
 * the flood. Everything on 127.0.0.0/8; the flood is bounded in rate, time and held sockets.
 *
 * <pre>
 * java -cp overlay/runtime/target/overlay-node.jar:overlay/runtime/target/test-classes \
 *   org.epost.overlay.transport.tcp.FloodBenchMain NODES RATE SECONDS JOINS ROUTES ADDRESSES
 * </pre>
 *
 * ADDRESSES: how many source addresses the flood comes from (1: 127.0.0.2; n: 127.0.1.1..n).
 */
public final class FloodBenchMain {
  private FloodBenchMain() {}

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int joins = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    int routes = args.length > 4 ? Integer.parseInt(args[4]) : 300;
    int addresses = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    Logger.getLogger("").setLevel(Level.WARNING);
    Logger transportLog = Logger.getLogger("org.epost.overlay.transport");
    AtomicLong warnings = new AtomicLong();
    AtomicLong warningBytes = new AtomicLong();
    Handler count =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.incrementAndGet();
              warningBytes.addAndGet(new java.util.logging.SimpleFormatter().format(r).length());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    InetAddress host = InetAddress.getByName("127.0.0.1");
    List<InetAddress> flooders = new ArrayList<>();
    if (addresses == 1) {
      flooders.add(InetAddress.getByName("127.0.0.2"));
    } else {
      for (int i = 1; i <= addresses; i++) {
        flooders.add(InetAddress.getByName("127.0.1." + i));
      }
    }
    TcpTransportConfig config = TcpTransportConfig.defaults();
    try (LoopbackRing ring = new LoopbackRing()) {
      LoopbackRing.Node victim = ring.start(host, config, null);
      for (int i = 1; i < nodes; i++) {
        LoopbackRing.Node n = ring.start(host, config, ring.nodes.get(i / 2));
        if (!TcpFixture.await(n::ready, 30_000)) {
          throw new IllegalStateException("node " + i + " did not join");
        }
      }
      Thread.sleep(2_000); // leaf sets settle
      System.out.printf(
          "ring of %d nodes on loopback; flood %d connects/s from %d address(es), %d s%n",
          nodes, rate, addresses, seconds);
      routes(ring, victim, routes, "before the flood", new Random(1));

      transportLog.addHandler(count);
      InetSocketAddress target =
          new InetSocketAddress(host, victim.transport.localAddress().port());
      long floodStart = System.nanoTime();
      try (ConnectFlood flood =
          new ConnectFlood(flooders, target, rate, 2_000, seconds * 1_000L).start()) {
        Thread.sleep(2_000);
        long[] joinMillis = new long[joins];
        for (int j = 0; j < joins; j++) {
          long t0 = System.nanoTime();
          LoopbackRing.Node late = ring.start(InetAddress.getByName("127.0.0.3"), config, victim);
          boolean ok = TcpFixture.await(late::ready, 30_000);
          joinMillis[j] = ok ? (System.nanoTime() - t0) / 1_000_000 : -1;
        }
        System.out.println(
            "joins through the victim under the flood (ms, -1: not within 30 s): "
                + Arrays.toString(joinMillis));
        routes(ring, victim, routes, "during the flood", new Random(2));
        long ran = (System.nanoTime() - floodStart) / 1_000_000;
        TransportStatistics s = victim.transport.statistics();
        System.out.printf(
            "flood so far: %d connects in %d ms (%.0f/s), %d failed to connect; victim: open=%d"
                + " handshaking=%d refused=%d (per-address %d) evicted=%d handshakeFailures=%d%n",
            flood.connected.get(),
            ran,
            flood.connected.get() * 1000.0 / ran,
            flood.failed.get(),
            s.openConnections(),
            s.handshakingConnections(),
            s.refusedConnections(),
            s.refusedOverAddressLimit(),
            s.evictedHandshakes(),
            s.handshakeFailures());
        long left = seconds * 1_000L - ran;
        if (left > 0) {
          Thread.sleep(left);
        }
      }
      Thread.sleep(TcpTransport.SUMMARY_INTERVAL_MILLIS + 500); // the last summary line
      System.out.printf(
          "transport warnings logged during the flood: %d lines, %d bytes%n",
          warnings.get(), warningBytes.get());
    } finally {
      transportLog.removeHandler(count);
    }
  }

  private static void routes(
      LoopbackRing ring, LoopbackRing.Node victim, int count, String label, Random r)
      throws Exception {
    List<Long> all = new ArrayList<>();
    List<Long> viaVictim = new ArrayList<>();
    int wrong = 0;
    int lost = 0;
    for (int k = 0; k < count; k++) {
      Id key = Id.of(r.nextLong(), r.nextLong(), r.nextInt());
      LoopbackRing.Node from = ring.nodes.get(r.nextInt(ring.nodes.size()));
      long t0 = System.nanoTime();
      Id got;
      try {
        got = ring.route(from, key).get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        lost++;
        continue;
      }
      long us = (System.nanoTime() - t0) / 1_000;
      if (!got.equals(ring.rootOf(key))) {
        wrong++;
      }
      all.add(us);
      if (from == victim || got.equals(victim.id())) {
        viaVictim.add(us);
      }
    }
    System.out.printf(
        "routes %s: %d sent, %d lost (5 s), %d at a wrong root; all: %s; starting or ending at"
            + " the victim (%d): %s%n",
        label, count, lost, wrong, percentiles(all), viaVictim.size(), percentiles(viaVictim));
  }

  private static String percentiles(List<Long> us) {
    if (us.isEmpty()) {
      return "-";
    }
    List<Long> s = new ArrayList<>(us);
    s.sort(null);
    return String.format(
        "p50 %.2f ms, p99 %.2f ms",
        s.get(s.size() / 2) / 1000.0, s.get(Math.min(s.size() - 1, s.size() * 99 / 100)) / 1000.0);
  }
}
