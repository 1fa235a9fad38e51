package org.epost.overlay.past;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;

/** Test fixture: a simulated ring with PAST on every node, each on its own in-memory store. */
final class PastRing {
  /** A lease expiry (a wall time) 30 days after the simulation's default virtual epoch. */
  static final long THIRTY_DAYS = Simulation.DEFAULT_EPOCH_MILLIS + 30L * 24 * 3_600_000;

  final Simulation sim;
  final PastConfig config;
  final Map<SimulatedNode, Past> pasts = new HashMap<>();
  final Map<SimulatedNode, ObjectStore> stores = new HashMap<>();
  private final Function<SimulatedNode, ObjectStore> storeFactory;

  PastRing(long seed, PastConfig config, Function<SimulatedNode, ObjectStore> storeFactory) {
    this.sim = Simulation.builder().seed(seed).build();
    this.config = config;
    this.storeFactory = storeFactory;
  }

  static PastConfig testConfig() {
    return PastConfig.defaults().withMaintenance(60_000, 5_000);
  }

  static Function<SimulatedNode, ObjectStore> memoryStores() {
    return n -> new MemoryObjectStore(64L << 20);
  }

  void build(int n) {
    attach(sim.createRing());
    for (int i = 1; i < n; i++) {
      sim.runFor(50);
      attach(sim.addNode());
    }
    sim.runFor(60_000);
  }

  SimulatedNode attach(SimulatedNode node) {
    ObjectStore store = storeFactory.apply(node);
    stores.put(node, store);
    pasts.put(node, PastNodes.create(node.overlay(), store, Runnable::run, config));
    return node;
  }

  void fail(SimulatedNode node) {
    pasts.remove(node);
    stores.remove(node);
    sim.fail(node);
  }

  Past randomPast() {
    SimulatedNode n = sim.randomReadyNode();
    return pasts.get(n);
  }

  /** The k live nodes closest to {@code key}, by the simulation's oracle. */
  List<SimulatedNode> closest(Id key, int k) {
    List<SimulatedNode> live = new ArrayList<>(sim.liveNodes());
    live.sort((a, b) -> a.id().equals(b.id()) ? 0 : key.isCloser(a.id(), b.id()) ? -1 : 1);
    return live.subList(0, Math.min(k, live.size()));
  }

  /** How many of the k closest live nodes hold a copy of {@code key} in their store. */
  int replicasOnClosest(Id key, int k) {
    int n = 0;
    for (SimulatedNode s : closest(key, k)) {
      if (stores.get(s).get(key) != null) {
        n++;
      }
    }
    return n;
  }
}
