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
import org.epost.overlay.past.api.PastStatistics;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.junit.jupiter.api.Test;

/**
 * ADR 0083: an object with fewer than minReachable holders online for longer than the grace gets
 * one more copy on an online node, and only then; an object with enough online holders gets none;
 * absences shorter than the grace cost nothing even when half of the ring flaps at once. Absence
 * timeout 8 h throughout, so repair for permanent loss never fires in these tests.
 */
class PastAvailabilityRepairTest {
  private static final long MINUTE = 60_000;
  private static final long GRACE = 10 * MINUTE;

  private static final class Node {
    final ObjectStore store = new MemoryObjectStore(64L << 20);
    final ReplicaKnowledge knowledge = new ReplicaKnowledge();
    SimulatedNode sim;
    Past past;
    long availabilityObjects; // of earlier sessions
    long repairObjects;
  }

  private final Simulation sim = Simulation.builder().seed(83).build();
  private final PastConfig config =
      PastConfig.defaults().withMaintenance(MINUTE, 5_000).withAvailabilityRepair(2, GRACE);
  private final List<Node> nodes = new ArrayList<>();
  private Node first;

  private void start(Node n, SimulatedNode s) {
    n.sim = s;
    n.past = PastNodes.create(s.overlay(), n.store, Runnable::run, config, n.knowledge);
  }

  private void goOffline(Node n) {
    PastStatistics st = n.past.statistics();
    n.availabilityObjects += st.availabilityRepairObjectsSent();
    n.repairObjects += st.repairObjectsSent();
    n.past.stop();
    sim.fail(n.sim);
    n.past = null;
  }

  private void comeBack(Node n) {
    start(n, sim.addNode(n.sim.id(), List.<Address>of(first.sim.address())));
  }

  private long availabilityObjects() {
    long sum = 0;
    for (Node n : nodes) {
      sum +=
          n.availabilityObjects
              + (n.past != null ? n.past.statistics().availabilityRepairObjectsSent() : 0);
    }
    return sum;
  }

  private long repairObjects() {
    long sum = 0;
    for (Node n : nodes) {
      sum += n.repairObjects + (n.past != null ? n.past.statistics().repairObjectsSent() : 0);
    }
    return sum;
  }

  private List<Node> holders(PastObject o) {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n.store.get(o.id()) != null) {
        out.add(n);
      }
    }
    return out;
  }

  private int onlineCopies(PastObject o) {
    int c = 0;
    for (Node n : holders(o)) {
      c += n.past != null ? 1 : 0;
    }
    return c;
  }

  private List<PastObject> ringWithObjects(int ringSize, int objects) {
    first = new Node();
    nodes.add(first);
    start(first, sim.createRing());
    for (int i = 1; i < ringSize; i++) {
      sim.runFor(50);
      Node n = new Node();
      nodes.add(n);
      start(n, sim.addNode());
    }
    sim.runFor(MINUTE);
    SplittableRandom r = new SplittableRandom(7);
    List<PastObject> objs = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      byte[] b = new byte[1000];
      r.nextBytes(b);
      PastObject o = PastObject.immutable(b, PastRing.THIRTY_DAYS);
      objs.add(o);
      CompletableFuture<Integer> f =
          nodes.get(1 + r.nextInt(nodes.size() - 1)).past.insert(o).toCompletableFuture();
      sim.runFor(5_000);
      assertTrue(f.join() >= 3);
    }
    sim.runFor(10 * MINUTE); // digests exchanged, warm-up over
    assertEquals(0, availabilityObjects(), "no availability repair while every holder is online");
    return objs;
  }

  /**
   * Takes holders of {@code o} offline (never the bootstrap node) until {@code keep} remain online.
   */
  private List<Node> takeHoldersOffline(PastObject o, int keep) {
    List<Node> online = new ArrayList<>();
    for (Node n : holders(o)) {
      if (n.past != null) {
        online.add(n);
      }
    }
    online.remove(first);
    List<Node> away = new ArrayList<>();
    int copies = onlineCopies(o);
    for (Node n : online) {
      if (copies - away.size() <= keep) {
        break;
      }
      away.add(n);
    }
    for (Node n : away) {
      goOffline(n);
    }
    assertEquals(keep, onlineCopies(o));
    return away;
  }

  @Test
  void anObjectWithOneOnlineHolderGetsACopyAfterTheGraceNotBeforeAndOneWithTwoGetsNone() {
    List<PastObject> objs = ringWithObjects(40, 1);
    PastObject o = objs.get(0);
    assertTrue(holders(o).size() >= 5, "k copies after the insert: " + holders(o).size());

    // Two holders stay online: enough (minReachable = 2), no copy however long it lasts.
    takeHoldersOffline(o, 2);
    sim.runFor(4 * GRACE);
    assertEquals(0, availabilityObjects(), "two online holders are enough");
    assertEquals(2, onlineCopies(o));

    // One more leaves: a copy after the grace, not before.
    takeHoldersOffline(o, 1);
    sim.runFor(GRACE - MINUTE);
    assertEquals(0, availabilityObjects(), "no copy before the grace has passed");
    assertEquals(1, onlineCopies(o));
    sim.runFor(GRACE + 2 * MINUTE);
    assertTrue(availabilityObjects() >= 1, "a copy once the grace passed");
    assertEquals(
        2,
        onlineCopies(o),
        "exactly one copy added: the object is reachable through two holders again");
    assertEquals(
        availabilityObjects(), repairObjects(), "every copy made here was availability repair");
    sim.runFor(3 * GRACE);
    assertEquals(2, onlineCopies(o), "no further copy while two holders stay online");

    // The readers find it, and the returning holders keep their copies (nothing is deleted).
    CompletableFuture<PastObject> f = first.past.lookup(o.id()).toCompletableFuture();
    sim.runFor(20_000);
    assertArrayEquals(o.bytes(), f.join().bytes());
    int before = holders(o).size();
    for (Node n : new ArrayList<>(nodes)) {
      if (n.past == null) {
        comeBack(n);
      }
    }
    sim.runFor(2 * GRACE);
    assertEquals(before, holders(o).size());
    assertEquals(before, onlineCopies(o));
  }

  @Test
  void absencesShorterThanTheGraceCostNoCopyEvenWhenHalfTheRingFlapsAtOnce() {
    List<PastObject> objs = ringWithObjects(40, 20);
    long before = repairObjects();
    List<Node> flapping = new ArrayList<>();
    for (int i = 1; i < nodes.size(); i += 2) {
      flapping.add(nodes.get(i));
    }
    for (int round = 0; round < 6; round++) {
      for (Node n : flapping) {
        goOffline(n);
      }
      sim.runFor(GRACE / 2 - MINUTE); // away for 4 minutes
      for (Node n : flapping) {
        comeBack(n);
      }
      sim.runFor(GRACE / 2 + MINUTE);
    }
    assertEquals(0, availabilityObjects(), "no copy for absences shorter than the grace");
    assertEquals(before, repairObjects(), "and none for permanent loss either");

    // A long outage of the same half: each object short of online holders gets copies, one per
    // grace period at most, until two holders are online; no storm.
    for (Node n : flapping) {
      goOffline(n);
    }
    List<PastObject> reachable = new ArrayList<>();
    for (PastObject o : objs) {
      if (onlineCopies(o) >= 1) {
        reachable.add(o); // an object with no holder online has no one to repair it
      }
    }
    sim.runFor(6 * GRACE);
    long copies = availabilityObjects();
    assertTrue(copies > 0, "some objects had fewer than two holders left online");
    assertTrue(copies <= 2L * objs.size(), copies + " copies for " + objs.size() + " objects");
    for (PastObject o : reachable) {
      assertTrue(onlineCopies(o) >= 2, o.id() + " has " + onlineCopies(o) + " online copies");
    }
  }
}
