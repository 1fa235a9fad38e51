package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.epost.overlay.api.Address;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.junit.jupiter.api.Test;

/**
 * ADR 0080: holders that go offline and come back with their disks cost no repair; a holder gone
 * for longer than the absence timeout is replaced.
 */
class PastAbsenceTest {
  private static final long MINUTE = 60_000;

  private static final class Node {
    final ObjectStore store = new MemoryObjectStore(64L << 20);
    final ReplicaKnowledge knowledge = new ReplicaKnowledge();
    SimulatedNode sim;
    Past past;
  }

  private final Simulation sim = Simulation.builder().seed(41).build();
  private final PastConfig config =
      PastConfig.defaults()
          .withMaintenance(MINUTE, 5_000)
          .withAbsenceTimeout(30 * MINUTE)
          .withAvailabilityRepair(
              0, 10 * MINUTE); // ADR 0080 alone: availability repair (ADR 0083) is tested apart
  private final List<Node> nodes = new ArrayList<>();

  private void start(Node n, SimulatedNode s) {
    n.sim = s;
    n.past = PastNodes.create(s.overlay(), n.store, Runnable::run, config, n.knowledge);
  }

  private long repairObjects() {
    long sum = 0;
    for (Node n : nodes) {
      if (n.past != null) {
        sum += n.past.statistics().repairObjectsSent();
      }
    }
    return sum;
  }

  private int copies(PastObject o) {
    int c = 0;
    for (Node n : nodes) {
      c += n.store.get(o.id()) != null ? 1 : 0;
    }
    return c;
  }

  @Test
  void aShortAbsenceCostsNoCopyAndAPermanentOneIsReplaced() {
    Node first = new Node();
    nodes.add(first);
    start(first, sim.createRing());
    for (int i = 1; i < 40; i++) {
      sim.runFor(50);
      Node n = new Node();
      nodes.add(n);
      start(n, sim.addNode());
    }
    sim.runFor(MINUTE);
    SplittableRandom r = new SplittableRandom(2);
    List<PastObject> objs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] b = new byte[1000];
      r.nextBytes(b);
      PastObject o = PastObject.immutable(b, PastRing.THIRTY_DAYS);
      objs.add(o);
      CompletableFuture<Integer> f =
          nodes.get(r.nextInt(nodes.size())).past.insert(o).toCompletableFuture();
      sim.runFor(5_000);
      assertTrue(f.join() >= 3);
    }
    sim.runFor(10 * MINUTE);
    long before = repairObjects();

    // Six nodes, holders among them, go offline for 10 minutes and come back with disk and memory.
    List<Node> away = new ArrayList<>();
    for (Node n : nodes) {
      if (away.size() < 6 && n != first && n.store.get(objs.get(0).id()) != null
          || away.size() < 3 && n != first) {
        away.add(n);
      }
    }
    int holdersAway = 0;
    for (Node n : away) {
      holdersAway += n.store.get(objs.get(0).id()) != null ? 1 : 0;
    }
    assertTrue(holdersAway >= 3, "most holders of the first object are away: " + holdersAway);
    for (Node n : away) {
      n.past.stop();
      sim.fail(n.sim);
      n.past = null;
    }
    sim.runFor(10 * MINUTE);
    for (Node n : away) {
      start(n, sim.addNode(n.sim.id(), List.<Address>of(first.sim.address())));
    }
    sim.runFor(10 * MINUTE);
    assertEquals(
        before, repairObjects(), "no object copied for an absence shorter than the timeout");
    for (PastObject o : objs) {
      Node reader = nodes.get(r.nextInt(nodes.size()));
      CompletableFuture<PastObject> f =
          (reader.past != null ? reader.past : first.past).lookup(o.id()).toCompletableFuture();
      sim.runFor(20_000);
      assertArrayEquals(o.bytes(), f.join().bytes());
    }

    // The same nodes now leave for good: after the timeout their copies are replaced.
    int copiesBefore = copies(objs.get(0));
    for (Node n : away) {
      n.past.stop();
      sim.fail(n.sim);
      n.past = null;
      nodes.remove(n);
    }
    sim.runFor(45 * MINUTE);
    assertTrue(repairObjects() > before, "copies made once the absence timeout passed");
    for (PastObject o : objs) {
      int c = copies(o);
      assertTrue(c >= 5, o.id() + " has " + c + " copies on remaining nodes");
    }
    assertTrue(copiesBefore >= 5);
  }
}
