package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.epost.overlay.api.Id;
import org.junit.jupiter.api.Test;

/**
 * A node that joins (or returns) next to a neighbour that has just died, before the ring noticed,
 * learns of the dead neighbour in its join reply and waits for its acknowledgement in vain. It must
 * be ready within a few round trips' worth of the announcement, not after the 5 s join timeout: the
 * returning-recipient latency of the mail experiment hangs on it.
 */
class JoinPastSilentNeighbourTest {
  @Test
  void aJoinerNextToASilentlyDeadNodeIsReadySoon() {
    Simulation sim = Simulation.builder().seed(11).build();
    RingHarness ring = new RingHarness(sim);
    ring.build(40, 50, 30_000);
    for (int trial = 0; trial < 5; trial++) {
      SimulatedNode victim = sim.randomReadyNode();
      SimulatedNode bootstrap = sim.randomReadyNode();
      while (bootstrap == victim) {
        bootstrap = sim.randomReadyNode();
      }
      sim.fail(victim);
      SimulatedNode joiner =
          sim.addNode(victim.id().add(Id.of(0, 0, 1)), List.of(bootstrap.address()));
      long start = sim.nowMillis();
      while (!joiner.isReady() && sim.nowMillis() - start < 20_000) {
        sim.runFor(10);
      }
      long took = sim.nowMillis() - start;
      assertTrue(
          took < 5_000,
          "trial "
              + trial
              + ": the joiner was ready "
              + took
              + " ms (simulated) after it began to join past a silent neighbour");
      sim.runFor(30_000);
    }
  }
}
