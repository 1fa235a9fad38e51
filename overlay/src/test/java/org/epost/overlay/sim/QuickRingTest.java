package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuickRingTest {
  @Test
  void quietRingDeliversEveryLookupToTheClosestNode() {
    Simulation sim = Simulation.builder().seed(3).build();
    RingHarness h = new RingHarness(sim);
    int n = Integer.getInteger("ring.nodes", 300);
    long t0 = System.nanoTime();
    h.build(n, 100, 120_000);
    long t1 = System.nanoTime();
    var before = sim.traffic().snapshot();
    for (int i = 0; i < 2000; i++) {
      sim.schedule(i * 50L, h::lookup);
    }
    sim.runFor(2000 * 50L + 30_000);
    long t2 = System.nanoTime();
    long ctl = (sim.traffic().totalMessages() - before.totalMessages()) - (sim.traffic().applicationMessages(RingHarness.LOOKUP_APP) - before.applicationMessages(RingHarness.LOOKUP_APP));
    double simSec = (2000 * 50L + 30_000) / 1000.0;
    System.out.printf("nodes=%d build=%.1fs run=%.1fs sent=%d delivered=%d wrong=%d dup=%d hops=%.3f stretch=%.3f ctl/node/s=%.3f types=%s%n",
        n, (t1 - t0) / 1e9, (t2 - t1) / 1e9, h.sent, h.delivered, h.wrongRoot, h.duplicates,
        h.hopsSum / (double) h.delivered, h.pathMicros / (double) h.directMicros, ctl / (double) n / simSec,
        sim.traffic().messagesByType());
    assertEquals(h.sent, h.delivered);
    assertEquals(0, h.wrongRoot);
    assertTrue(h.delivered > 0);
  }
}
