package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Heap per live node must not grow from departed nodes: once {@link Simulation#fail} returns and
 * the driver drops its {@link SimulatedNode}, nothing in the simulation (pending timers, frames in
 * flight, tables) keeps the failed node's state reachable, even though its timers would fall due
 * only minutes later.
 */
class DepartedNodeReleaseTest {
  private static final int RING = 120;

  @Test
  void failedNodesAreCollectableAtOnce() throws InterruptedException {
    Simulation sim = Simulation.builder().seed(3).build();
    List<WeakReference<Object>> departed = replaceRing(sim);
    // Keep running for less than any maintenance period: before the fix, every failed node's
    // heartbeat and table-maintenance timers were still queued and held it.
    sim.runFor(2_000);
    assertEquals(RING, sim.liveNodes().size());
    assertTrue(sim.pendingEvents() > 0, "live nodes keep timers queued");
    int alive = departed.size();
    for (int attempt = 0; attempt < 20 && alive > 0; attempt++) {
      System.gc();
      Thread.sleep(20);
      alive = 0;
      for (WeakReference<Object> r : departed) {
        if (r.get() != null) {
          alive++;
        }
      }
    }
    assertEquals(
        0,
        alive,
        alive
            + " of "
            + departed.size()
            + " overlays and contexts of failed nodes are still reachable");
  }

  /**
   * Builds a ring, then fails every original node while adding a fresh one; returns weak references
   * to the failed overlays and contexts.
   */
  private static List<WeakReference<Object>> replaceRing(Simulation sim) {
    List<SimulatedNode> originals = new ArrayList<>();
    originals.add(sim.createRing());
    for (int i = 1; i < RING; i++) {
      sim.runFor(50);
      originals.add(sim.addNode());
    }
    sim.runFor(30_000);
    List<WeakReference<Object>> refs = new ArrayList<>();
    for (SimulatedNode n : originals) {
      refs.add(new WeakReference<>(n.overlay()));
      refs.add(new WeakReference<>(n.context));
      sim.fail(n);
      sim.addNode();
      sim.runFor(20);
    }
    originals.clear();
    return refs;
  }
}
