package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * A slow node is not a dead node: a hop that acknowledges after the ack timeout is routed around
 * for that message, but stays in the leaf sets and keeps the keys it is the root of; and a node cut
 * off from the network long enough to lose its whole leaf set finds its way back once the network
 * returns.
 */
class LateAcknowledgementTest {
  /**
   * One-way delay added to every frame to or from the slow node: its acknowledgements come late.
   */
  static final long SLOW_EXTRA_MICROS = 400_000;

  /**
   * Sphere latency (mean 100 ms, at most 200 ms) plus {@link #SLOW_EXTRA_MICROS} on the links of
   * the node created {@code slowIndex}-th.
   */
  static final class OneSlowNode implements LatencyModel {
    private final LatencyModel sphere = LatencyModel.sphere(100);
    private final int slowIndex;
    private int placed;

    OneSlowNode(int slowIndex) {
      this.slowIndex = slowIndex;
    }

    @Override
    public float[] place(RandomSource random) {
      float[] p = Arrays.copyOf(sphere.place(random), 4);
      p[3] = placed++ == slowIndex ? 1 : 0;
      return p;
    }

    @Override
    public long delayMicros(float[] from, float[] to) {
      return sphere.delayMicros(from, to) + (from[3] + to[3] > 0 ? SLOW_EXTRA_MICROS : 0);
    }
  }

  @Test
  void nodeThatAcknowledgesLateKeepsItsPlaceAndItsKeys() {
    Simulation sim = Simulation.builder().seed(31).latency(new OneSlowNode(50)).build();
    RingHarness h = new RingHarness(sim);
    h.build(100, 100, 30_000);
    SimulatedNode slow =
        sim.liveNodes().stream().filter(n -> n.context.position[3] == 1).findFirst().orElseThrow();
    assertTrue(slow.isReady(), "the slow node joined");
    for (int i = 0; i < 200; i++) {
      sim.schedule(i * 50L, () -> h.lookup(sim.randomReadyNode(), slow.id()));
      sim.schedule(i * 50L + 25, h::lookup);
    }
    sim.runFor(60_000);

    long reroutes =
        sim.liveNodes().stream().mapToLong(n -> n.overlay().statistics().reroutes()).sum();
    assertTrue(reroutes > 0, "hops to the slow node acknowledged after the ack timeout");
    assertEquals(h.sent, h.delivered, "no lookup lost");
    assertEquals(0, h.wrongRoot, "the slow node's keys were delivered to it, not to a neighbour");
    for (NodeHandle neighbour : slow.overlay().leafSet()) {
      SimulatedNode n = node(sim, neighbour.id());
      assertTrue(
          n.overlay().leafSet().stream().anyMatch(x -> x.id().equals(slow.id())),
          "neighbour " + neighbour.id() + " still has the slow node in its leaf set");
    }
  }

  @Test
  void nodeCutOffUntilItsLeafSetIsEmptyRejoinsWhenTheNetworkReturns() {
    Simulation sim = Simulation.builder().seed(32).build();
    RingHarness h = new RingHarness(sim);
    h.build(60, 100, 20_000);
    SimulatedNode island = sim.randomReadyNode();
    sim.setCutOff(island, true);
    // It watches its two nearest neighbours, so it gives up on one member per failure timeout.
    sim.runFor(10 * 60_000);
    assertTrue(island.overlay().leafSet().isEmpty(), "cut off, it declared every neighbour failed");
    for (SimulatedNode n : sim.liveNodes()) {
      assertTrue(
          n.overlay().leafSet().stream().noneMatch(x -> x.id().equals(island.id())),
          "the others dropped it");
    }

    sim.setCutOff(island, false);
    sim.runFor(60_000);
    List<Id> nearest = ringNeighbours(sim, island.id(), 4);
    for (Id id : nearest) {
      assertTrue(
          island.overlay().leafSet().stream().anyMatch(x -> x.id().equals(id)),
          "it knows its neighbour " + id);
      assertTrue(
          node(sim, id).overlay().leafSet().stream().anyMatch(x -> x.id().equals(island.id())),
          "neighbour " + id + " knows it again");
    }
    for (int i = 0; i < 50; i++) {
      sim.schedule(i * 20L, () -> h.lookup(sim.randomReadyNode(), island.id()));
    }
    sim.runFor(20_000);
    assertEquals(h.sent, h.delivered);
    assertEquals(0, h.wrongRoot, "its keys reach it again");
    assertTrue(island.overlay().statistics().rejoins() > 0, "it asked its way back in");
  }

  private static SimulatedNode node(Simulation sim, Id id) {
    return sim.liveNodes().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }

  /** The {@code perSide} nearest live nodes on each side of {@code self} around the ring. */
  private static List<Id> ringNeighbours(Simulation sim, Id self, int perSide) {
    List<Id> others = new ArrayList<>();
    for (SimulatedNode n : sim.liveNodes()) {
      if (!n.id().equals(self)) {
        others.add(n.id());
      }
    }
    List<Id> result = new ArrayList<>();
    others.sort(Comparator.comparing(self::clockwiseDistance));
    result.addAll(others.subList(0, perSide));
    others.sort(Comparator.comparing(id -> id.clockwiseDistance(self)));
    result.addAll(others.subList(0, perSide));
    return result;
  }
}
