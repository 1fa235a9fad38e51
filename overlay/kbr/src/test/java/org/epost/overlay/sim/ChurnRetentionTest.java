package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Heap per live node must not grow with departed nodes: after a long churn (ten times the ring
 * replaced), the simulation's per-node structures hold exactly the live nodes, no timer of a failed
 * node is still queued with its task, and no queued event keeps a failed node's context other than
 * frames still in flight to it. Routing-table and leaf-set entries naming dead nodes are protocol
 * state of live nodes (bounded by their table size), not checked here.
 */
class ChurnRetentionTest {
  private static final int RING = 60;
  private static final int REPLACEMENTS = 600;

  @Test
  void afterChurnOnlyLiveNodesAreHeld() {
    Simulation sim = Simulation.builder().seed(17).build();
    RingHarness h = new RingHarness(sim);
    h.build(RING, 100, 30_000);
    for (int i = 0; i < REPLACEMENTS; i++) {
      SimulatedNode victim = sim.randomLiveNode();
      h.endpoints.remove(victim);
      sim.fail(victim);
      h.addNode();
      sim.schedule(0, h::lookup);
      sim.runFor(500); // a replacement every half second: sessions of about 30 s
    }
    // A last burst, checked at once: the newest victims still have one-shot timers queued
    // (proximity refinement, suspicion checks) that stop() does not cancel.
    for (int i = 0; i < RING / 2; i++) {
      SimulatedNode victim = sim.randomLiveNode();
      h.endpoints.remove(victim);
      sim.fail(victim);
      h.addNode();
      sim.runFor(100);
    }
    assertEquals(RING, sim.liveNodes().size());
    assertEquals(sim.liveNodes().size(), sim.trackedNodes(), "contexts of departed nodes are gone");
    Set<NodeContext> live = new HashSet<>();
    for (SimulatedNode n : sim.liveNodes()) {
      live.add(n.context);
    }
    List<Event> deadTimers = new ArrayList<>();
    Set<NodeContext> deadContexts = new HashSet<>();
    int[] frames = new int[1];
    sim.forEachQueued(
        e -> {
          if (e.frame != null) {
            frames[0]++;
          }
          if (e.owner != null && !live.contains(e.owner)) {
            deadContexts.add(e.owner);
            if (e.task != null) {
              deadTimers.add(e);
            }
          }
          if (e.task == null && e.frame == null) {
            assertEquals(null, e.owner, "a husk (cancelled or fired) references no node");
          }
        });
    assertTrue(
        deadTimers.isEmpty(),
        deadTimers.size() + " timers of failed nodes are still queued with their tasks");
    assertTrue(
        deadContexts.size() <= frames[0],
        deadContexts.size()
            + " failed nodes' contexts are held, more than the "
            + frames[0]
            + " frames in flight");
    for (NodeContext c : deadContexts) {
      assertTrue(
          c.node == null && c.receiver == null && c.firstEvent == null,
          "a failed node's context is cut off from the node");
    }
    assertTrue(
        h.delivered > REPLACEMENTS / 2, "the ring kept routing through the churn: " + h.delivered);
  }
}
