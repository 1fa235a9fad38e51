package org.epost.post.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.post.api.MessageStore;

/**
 * Test fixture: a simulated ring of real Pastry nodes with real PAST on every node (each on its own
 * in-memory replica store), and message stores on chosen nodes, each for its own owner.
 */
final class StoreRing {
  static final long DAY = 24L * 3_600_000;

  final Simulation sim;
  final PastConfig pastConfig;
  final Map<SimulatedNode, Past> pasts = new LinkedHashMap<>();
  final Map<SimulatedNode, ObjectStore> stores = new LinkedHashMap<>();

  StoreRing(long seed, int nodes, PastConfig pastConfig, PastryConfig pastryConfig) {
    this.sim = Simulation.builder().seed(seed).pastryConfig(pastryConfig).build();
    this.pastConfig = pastConfig;
    attach(sim.createRing());
    for (int i = 1; i < nodes; i++) {
      sim.runFor(50);
      attach(sim.addNode());
    }
    sim.runFor(60_000);
  }

  /** A ring of {@code nodes} with PAST's defaults (k = 5) but hourly maintenance. */
  StoreRing(long seed, int nodes) {
    this(seed, nodes, PastConfig.defaults(), PastryConfig.defaults());
  }

  /** The node fails abruptly (its owner goes offline); its replica store goes with it. */
  void fail(SimulatedNode node) {
    pasts.remove(node);
    stores.remove(node);
    sim.fail(node);
  }

  /** A new node joins with PAST on an empty store and becomes ready. */
  SimulatedNode join() {
    SimulatedNode node = sim.addNode();
    attach(node);
    for (int i = 0; i < 600 && !node.isReady(); i++) {
      sim.runFor(100);
    }
    return node;
  }

  private void attach(SimulatedNode node) {
    ObjectStore store = new MemoryObjectStore(1L << 30);
    stores.put(node, store);
    pasts.put(node, PastNodes.create(node.overlay(), store, Runnable::run, pastConfig));
  }

  List<SimulatedNode> nodes() {
    return new ArrayList<>(pasts.keySet());
  }

  /** An owner's convergent encryption, from a key made by the simulation's seeded generator. */
  ConvergentEncryption owner(SimulatedNode node) {
    return ConvergentEncryption.forUser(
        UserIdentity.generate(node.overlay().environment().random().secure()));
  }

  MessageStore store(SimulatedNode node, ConvergentEncryption owner, LeaseLedger ledger) {
    return store(node, owner, ledger, StoreConfig.defaults());
  }

  MessageStore store(
      SimulatedNode node, ConvergentEncryption owner, LeaseLedger ledger, StoreConfig config) {
    return MessageStores.create(
        node.overlay().environment(), pasts.get(node), owner, ledger, config);
  }

  /** A store on {@code node} whose PAST calls {@code counting} observes. */
  MessageStore store(SimulatedNode node, ConvergentEncryption owner, CountingPast counting) {
    return MessageStores.create(
        node.overlay().environment(),
        counting,
        owner,
        new MemoryLeaseLedger(),
        StoreConfig.defaults());
  }

  CountingPast counting(SimulatedNode node) {
    return new CountingPast(pasts.get(node));
  }

  /** Runs the simulation until the stage completes (at most a simulated hour); its value. */
  <T> T await(CompletionStage<T> stage) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    for (int i = 0; i < 36_000 && !f.isDone(); i++) {
      sim.runFor(100);
    }
    if (!f.isDone()) {
      throw new AssertionError(
          "stage did not complete within a simulated hour (at "
              + sim.nowMillis()
              + " ms, "
              + sim.pendingEvents()
              + " events pending, "
              + sim.liveNodes().size()
              + " nodes live)");
    }
    return f.join();
  }

  /** The failure the stage completed with. */
  Throwable failure(CompletionStage<?> stage) {
    try {
      await(stage);
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("the stage succeeded");
  }

  /** PAST objects held across the ring (every copy counted). */
  long heldObjects() {
    long n = 0;
    for (ObjectStore s : stores.values()) {
      n += s.entries().size();
    }
    return n;
  }

  /** Bytes held across the ring (every copy counted). */
  long heldBytes() {
    long n = 0;
    for (ObjectStore s : stores.values()) {
      n += s.usedBytes();
    }
    return n;
  }

  /** Copies of {@code id} held across the ring. */
  int copies(Id id) {
    int n = 0;
    for (ObjectStore s : stores.values()) {
      if (s.get(id) != null) {
        n++;
      }
    }
    return n;
  }
}
