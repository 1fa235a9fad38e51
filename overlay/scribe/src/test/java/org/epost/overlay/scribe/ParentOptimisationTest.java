package org.epost.overlay.scribe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.ScribeClient;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.sim.SimulatedNode;
import org.junit.jupiter.api.Test;

/**
 * Children re-attaching to closer ancestors (ADR 0077): publications from the root arrive sooner
 * than on the plain reversed join routes, and none is lost or doubled while the trees change under
 * a steady stream of publications.
 */
class ParentOptimisationTest {

  /**
   * Mean delay from the root's publish call to delivery, over all subscribers and publications, in
   * µs.
   */
  private static double meanTreeDelay(boolean optimise, long[] reparents) {
    ScribeRing ring =
        ScribeRing.build(31, 120, ScribeConfig.defaults().withParentOptimization(optimise));
    TopicId topic = TopicId.named("latency");
    SimulatedNode root = ring.sim.closestLiveNode(topic.id(), true);
    List<SimulatedNode> subs = ring.pick(20, List.of(root));
    Map<Long, Long> publishedAt = new HashMap<>();
    Map<SimulatedNode, List<Long>> received = new HashMap<>();
    long[] delaySum = new long[1];
    long[] count = new long[1];
    for (SimulatedNode s : subs) {
      received.put(s, new ArrayList<>());
      ring.scribe(s)
          .subscribe(
              topic,
              new ScribeClient() {
                @Override
                public void deliver(Publication p) {
                  received.get(s).add(p.id());
                  Long at = publishedAt.get(p.id());
                  if (at != null) {
                    delaySum[0] += ring.sim.nowMicros() - at;
                    count[0]++;
                  }
                }
              });
    }
    ring.sim.runFor(5_000);
    // A publication every 500 ms for 90 s while the optimisation runs (every 5 heartbeats).
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 180; i++) {
      ring.sim.schedule(
          i * 500L,
          () -> {
            long before = ring.sim.nowMicros();
            long id = ring.scribe(root).publish(topic, new byte[16]).toCompletableFuture().join();
            publishedAt.put(id, before);
            ids.add(id);
          });
    }
    ring.sim.runFor(180 * 500L + 10_000);
    for (SimulatedNode s : subs) {
      assertEquals(
          ids.size(),
          received.get(s).size(),
          s + " got every publication once (optimise=" + optimise + ")");
      assertEquals(ids.size(), received.get(s).stream().distinct().count());
    }
    reparents[0] = ring.scribes.values().stream().mapToLong(x -> x.statistics().reparents()).sum();
    return (double) delaySum[0] / count[0];
  }

  @Test
  void reattachingLowersTheDelayFromTheRootAndLosesNothing() {
    long[] none = new long[1];
    long[] some = new long[1];
    double plain = meanTreeDelay(false, none);
    double optimised = meanTreeDelay(true, some);
    assertEquals(0, none[0], "no re-parenting when switched off");
    assertTrue(some[0] > 0, "some child re-attached");
    assertTrue(
        optimised < plain, "mean delay from the root " + optimised + " µs < " + plain + " µs");
  }
}
