package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.epost.crypto.api.SigningKeyPair;
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
 * An owner that signs a mutable object again under the same sequence (a retry with a new expiry)
 * leaves two valid versions on the ring whose bytes differ. Honest storers holding either one are
 * not liars: neither the insert's read-back proof nor a later audit may mark them so.
 */
class PastSameSequenceTest {
  private static final long MINUTE = 60_000;
  private static final long DAY = 24 * 60 * MINUTE;
  private static final long EPOCH = org.epost.overlay.sim.Simulation.DEFAULT_EPOCH_MILLIS;

  private static final class Node {
    final ObjectStore store = new MemoryObjectStore(64L << 20);
    final ReplicaKnowledge knowledge = new ReplicaKnowledge();
    SimulatedNode sim;
    Past past;
  }

  private final Simulation sim = Simulation.builder().seed(17).build();
  private final PastConfig config = PastConfig.defaults().withMaintenance(MINUTE, 5_000);
  private final List<Node> nodes = new ArrayList<>();

  private void start(Node n, SimulatedNode s) {
    n.sim = s;
    n.past = PastNodes.create(s.overlay(), n.store, Runnable::run, config, n.knowledge);
  }

  @Test
  void twoVersionsSignedUnderOneSequenceMakeNoHonestStorerALiar() throws Exception {
    Node first = new Node();
    nodes.add(first);
    start(first, sim.createRing());
    for (int i = 1; i < 30; i++) {
      sim.runFor(50);
      Node n = new Node();
      nodes.add(n);
      start(n, sim.addNode());
    }
    sim.runFor(MINUTE);
    SigningKeyPair owner = SigningKeyPair.generate(new SecureRandom());
    byte[] label = "head".getBytes(StandardCharsets.US_ASCII);
    byte[] data = "log head".getBytes(StandardCharsets.US_ASCII);
    PastObject a = PastObject.mutable(owner, label, 1, data, EPOCH + 30 * DAY);
    PastObject b =
        PastObject.mutable(owner, label, 1, data, EPOCH + 31 * DAY); // same sequence, other expiry
    CompletableFuture<Integer> fa = first.past.insert(a).toCompletableFuture();
    sim.runFor(12_000);
    assertTrue(fa.join() >= 3);

    // The retry reaches storers that hold the first version: they refuse it, and are not liars.
    first.past.insert(b).toCompletableFuture().exceptionally(e -> -1);
    sim.runFor(12_000);
    assertNoLiars();

    // Holders of the first version go away; the retry then lands on nodes that had neither.
    List<Node> away = new ArrayList<>();
    for (Node n : nodes) {
      if (n != first && n.store.get(a.id()) != null && away.size() < 3) {
        away.add(n);
      }
    }
    for (Node n : away) {
      n.past.stop();
      sim.fail(n.sim);
    }
    sim.runFor(MINUTE);
    first.past.insert(b).toCompletableFuture().exceptionally(e -> -1);
    sim.runFor(12_000);
    for (Node n : away) {
      start(n, sim.addNode(n.sim.id(), List.<Address>of(first.sim.address())));
    }
    int holdA = 0;
    int holdB = 0;
    for (Node n : nodes) {
      PastObject held = n.store.get(a.id());
      if (held != null) {
        holdA += java.util.Arrays.equals(held.bytes(), a.bytes()) ? 1 : 0;
        holdB += java.util.Arrays.equals(held.bytes(), b.bytes()) ? 1 : 0;
      }
    }
    assertTrue(holdA > 0 && holdB > 0, "both versions are held: " + holdA + " and " + holdB);
    // Neighbours now audit each other over the same (id, sequence) with different bytes.
    sim.runFor(30 * MINUTE);
    long audits = 0;
    for (Node n : nodes) {
      audits += n.past.statistics().auditMessagesSent();
    }
    assertTrue(audits > 0);
    assertNoLiars();
  }

  private void assertNoLiars() {
    for (Node n : nodes) {
      assertEquals(
          0,
          n.knowledge.liars.size(),
          n.sim.id() + " took honest storers for liars: " + n.knowledge.liars);
      if (n.past != null) {
        assertEquals(0, n.past.statistics().auditFailures());
      }
    }
  }
}
