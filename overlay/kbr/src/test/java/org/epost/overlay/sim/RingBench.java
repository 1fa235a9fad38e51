package org.epost.overlay.sim;

import java.lang.management.ManagementFactory;

/**
 * Micro benchmark of the overlay on the simulation (not a test; the simulator module runs the
 * issue's experiments). {@code java -cp ... org.epost.overlay.sim.RingBench NODES QUIET_SECONDS
 * LOOKUPS} prints ring build wall time, CPU time, simulated seconds per wall second in a quiet
 * ring, hops, stretch, control messages per node per second and live heap per node.
 */
public final class RingBench {
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int quietSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 120;
    int lookups = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
    long joinGapMillis = args.length > 3 ? Long.parseLong(args[3]) : 10;
    var cpu = ManagementFactory.getThreadMXBean();
    Simulation sim = Simulation.builder().seed(7).build();
    RingHarness h = new RingHarness(sim);
    long w0 = System.nanoTime();
    long c0 = cpu.getCurrentThreadCpuTime();
    h.build(n, joinGapMillis, 30_000);
    long w1 = System.nanoTime();
    long c1 = cpu.getCurrentThreadCpuTime();
    System.out.printf(
        "build: %d nodes, %d ms apart + 30 s settle: wall %.1f s, cpu %.1f s, sim %.0f s, ready %d%n",
        n,
        joinGapMillis,
        (w1 - w0) / 1e9,
        (c1 - c0) / 1e9,
        sim.nowMillis() / 1000.0,
        sim.liveNodes().stream().filter(SimulatedNode::isReady).count());
    sim.runFor(quietSeconds * 1000L / 2); // let maintenance converge before measuring
    TrafficCounters before = sim.traffic().snapshot();
    long w2 = System.nanoTime();
    long c2 = cpu.getCurrentThreadCpuTime();
    long span = quietSeconds * 1000L / 2;
    for (int i = 0; i < lookups; i++) {
      sim.schedule(i * (span - 20_000) / Math.max(1, lookups), h::lookup);
    }
    sim.runFor(span);
    long w3 = System.nanoTime();
    long c3 = cpu.getCurrentThreadCpuTime();
    long ctl =
        (sim.traffic().totalMessages() - before.totalMessages())
            - (sim.traffic().applicationMessages(RingHarness.LOOKUP_APP)
                - before.applicationMessages(RingHarness.LOOKUP_APP));
    System.out.printf(
        "quiet %d s: wall %.1f s, cpu %.1f s -> %.1f sim s per wall s (%.1f per cpu s); lookups %d delivered %d wrong %d; hops %.3f; stretch %.3f (median %.3f); control msgs/node/s %.3f%n",
        span / 1000,
        (w3 - w2) / 1e9,
        (c3 - c2) / 1e9,
        span / 1e3 / ((w3 - w2) / 1e9),
        span / 1e3 / ((c3 - c2) / 1e9),
        h.sent,
        h.delivered,
        h.wrongRoot,
        h.hopsSum / (double) h.delivered,
        h.pathMicros / (double) h.directMicros,
        h.medianStretch(),
        ctl / (double) n / (span / 1e3));
    h.lookups.clear();
    h.endpoints.clear();
    System.gc();
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf(
        "live heap after GC: %.1f MiB, %.0f bytes per live node (simulation, queue and harness included)%n",
        heap / 1048576.0, heap / (double) sim.liveNodes().size());
    System.out.println("traffic by type: " + sim.traffic().messagesByType());
    // Departed nodes must not leave anything behind: replace the whole ring, one node every
    // 20 ms, then measure again.
    int departures = Integer.getInteger("bench.replace", n);
    for (int i = 0; i < departures; i++) {
      sim.fail(sim.randomLiveNode());
      h.addNode();
      sim.runFor(20);
    }
    sim.runFor(180_000);
    h.lookups.clear();
    h.endpoints.clear();
    System.gc();
    System.gc();
    long heap2 = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf(
        "after %d departures and joins: live heap %.1f MiB, %.0f bytes per live node, %d pending events%n",
        departures,
        heap2 / 1048576.0,
        heap2 / (double) sim.liveNodes().size(),
        sim.pendingEvents());
  }
}
