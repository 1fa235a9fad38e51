package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariants checked on running rings over many seeds. A failure prints the seed; replay it with
 * {@code Simulation.builder().seed(seed)}.
 */
class RingInvariantsTest {
  /** 12 rings: the smallest (2) and largest (120) sizes, then random sizes and seeds. */
  static Stream<Arguments> quietRings() {
    SplittableRandom r = new SplittableRandom(20_260_003);
    return IntStream.range(0, 12)
        .mapToObj(
            i ->
                Arguments.of(
                    1 + r.nextInt(1_000_000), i == 0 ? 2 : i == 1 ? 120 : 2 + r.nextInt(119)));
  }

  /** 8 seeds of a churning ring. */
  static IntStream churnSeeds() {
    SplittableRandom r = new SplittableRandom(20_260_004);
    return IntStream.range(0, 8).map(i -> 1 + r.nextInt(1_000_000));
  }

  /** In a quiet ring every lookup reaches the numerically closest live node. */
  @ParameterizedTest
  @MethodSource("quietRings")
  void quietRingDeliversEveryLookupToTheClosestLiveNode(int seed, int nodes) {
    Simulation sim = Simulation.builder().seed(seed).build();
    RingHarness h = new RingHarness(sim);
    h.build(nodes, 150, 15_000);
    for (int i = 0; i < 200; i++) {
      sim.schedule(i * 20L, h::lookup);
    }
    sim.runFor(4_000 + 20_000);
    assertEquals(h.sent, h.delivered, "seed " + seed + ": lost lookups");
    assertEquals(0, h.wrongRoot, "seed " + seed + ": delivered to a node that is not the closest");
  }

  /**
   * Churn (abrupt failures and joins, lookups running), then quiet: every live node's leaf set
   * converges to its true L/2 neighbours on each side, and lookups are exact again.
   */
  @ParameterizedTest
  @MethodSource("churnSeeds")
  void afterChurnStopsLeafSetsConvergeToTrueNeighbours(int seed) {
    Simulation sim = Simulation.builder().seed(seed).build();
    RingHarness h = new RingHarness(sim);
    h.build(80, 100, 10_000);
    for (int round = 0; round < 30; round++) { // a node fails and a new one joins every 2 s
      sim.fail(sim.randomLiveNode());
      h.addNode();
      sim.schedule(500, h::lookup);
      sim.runFor(2_000);
    }
    sim.runFor(120_000); // quiet: failure detection (25 s) plus repair
    TreeMap<Id, SimulatedNode> ring = new TreeMap<>();
    for (SimulatedNode n : sim.liveNodes()) {
      ring.put(n.id(), n);
    }
    for (SimulatedNode n : sim.liveNodes()) {
      assertEquals(
          expectedLeafSet(ring, n.id(), 12),
          idsOf(n.overlay().leafSet()),
          "seed " + seed + ": leaf set of " + n);
    }
    long sentBefore = h.sent;
    long deliveredBefore = h.delivered;
    long wrongBefore = h.wrongRoot;
    for (int i = 0; i < 100; i++) {
      sim.schedule(i * 20L, h::lookup);
    }
    sim.runFor(20_000);
    assertEquals(
        h.sent - sentBefore,
        h.delivered - deliveredBefore,
        "seed " + seed + ": lost lookups in the quiet ring");
    assertEquals(wrongBefore, h.wrongRoot, "seed " + seed + ": wrong root in the quiet ring");
  }

  static List<Id> expectedLeafSet(TreeMap<Id, SimulatedNode> ring, Id self, int half) {
    List<Id> ccw = new ArrayList<>();
    List<Id> cw = new ArrayList<>();
    Id k = self;
    for (int i = 0; i < Math.min(half, ring.size() - 1); i++) {
      k = ring.lowerKey(k) == null ? ring.lastKey() : ring.lowerKey(k);
      ccw.add(0, k);
    }
    k = self;
    for (int i = 0; i < Math.min(half, ring.size() - 1); i++) {
      k = ring.higherKey(k) == null ? ring.firstKey() : ring.higherKey(k);
      if (!ccw.contains(k)) {
        cw.add(k);
      }
    }
    List<Id> all = new ArrayList<>(ccw);
    all.addAll(cw);
    all.sort(Id::compareTo);
    return all;
  }

  static List<Id> idsOf(List<NodeHandle> handles) {
    List<Id> ids = new ArrayList<>();
    handles.forEach(x -> ids.add(x.id()));
    ids.sort(Id::compareTo);
    return ids;
  }
}
