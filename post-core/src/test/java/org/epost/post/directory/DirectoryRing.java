package org.epost.post.directory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserIdentity;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.log.LogConfig;
import org.epost.post.log.MemoryLogLocalState;
import org.epost.post.log.SignedLogs;

/**
 * Test fixture: a simulated ring of real Pastry nodes with real PAST on each (100 ms-mean latency
 * model), a ring authority, and helpers to enrol users through the real path and to run each node's
 * directory.
 */
final class DirectoryRing {
  final Simulation sim;
  final PastConfig config = PastConfig.defaults().withMaintenance(60_000, 5_000);
  final Map<SimulatedNode, Past> pasts = new HashMap<>();
  final Map<SimulatedNode, ObjectStore> stores = new HashMap<>();
  final Map<SimulatedNode, UserDirectory> directories = new HashMap<>();
  final List<SimulatedNode> nodes = new ArrayList<>();
  final SigningKeyPair authorityKey;
  final DirectoryAuthority authority;
  private final Function<SimulatedNode, ObjectStore> storeFactory;
  DirectoryConfig directoryConfig = DirectoryConfig.defaults();

  DirectoryRing(long seed, Function<SimulatedNode, ObjectStore> storeFactory) {
    this.sim = Simulation.builder().seed(seed).build();
    this.storeFactory = storeFactory;
    SecureRandom r = seeded(seed);
    this.authorityKey = SigningKeyPair.generate(r);
    this.authority = new DirectoryAuthority(authorityKey, r);
  }

  DirectoryRing(long seed) {
    this(seed, n -> new MemoryObjectStore(64L << 20));
  }

  DirectoryRing build(int n) {
    attach(sim.createRing());
    for (int i = 1; i < n; i++) {
      sim.runFor(50);
      attach(sim.addNode());
    }
    sim.runFor(60_000);
    return this;
  }

  private void attach(SimulatedNode node) {
    ObjectStore store = storeFactory.apply(node);
    stores.put(node, store);
    pasts.put(node, PastNodes.create(node.overlay(), store, Runnable::run, config));
    nodes.add(node);
  }

  SimulatedNode node(int i) {
    return nodes.get(i);
  }

  NodeEnvironment env(SimulatedNode node) {
    return node.overlay().environment();
  }

  /** The directory of {@code node} (one per node, made on first use). */
  UserDirectory directory(SimulatedNode node) {
    return directories.computeIfAbsent(
        node,
        n -> UserDirectory.create(pasts.get(n), env(n), authority.publicKey(), directoryConfig));
  }

  /** A user enrolled on its node: keys, the entry, its log service and account log. */
  record Enrolled(
      SimulatedNode node,
      UserIdentity identity,
      DirectoryEntry entry,
      SignedLogs logs,
      AccountLog account,
      long accountOperations) {}

  /**
   * Enrols {@code address} through the real path: keys from the node's secure generator, a signed
   * request, the authority's entry, published by the user's node, then the account log.
   */
  Enrolled enrol(SimulatedNode node, String address) {
    NodeEnvironment env = env(node);
    UserIdentity id = Enrolment.generate(env.random().secure());
    CertificateRequest req =
        Enrolment.request(address, id, env.clock().wallInstant(), env.random().secure());
    DirectoryEntry entry =
        authority.enrol(req.encode(), env.clock().wallInstant(), Duration.ofDays(365));
    SignedLogs logs =
        SignedLogs.create(
            pasts.get(node),
            env,
            id.signing(),
            "laptop",
            new MemoryLogLocalState(),
            LogConfig.defaults());
    AccountLog account = new AccountLog();
    long ops =
        await(
            Enrolment.complete(
                directory(node), logs, account, entry, id, env.clock().wallMillis()));
    return new Enrolled(node, id, entry, logs, account, ops);
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs the simulation until {@code stage} completes (at most {@code maxMillis}); its value. */
  <T> T await(CompletionStage<T> stage, long maxMillis) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    long end = sim.nowMillis() + maxMillis;
    while (!f.isDone() && sim.nowMillis() < end) {
      sim.runFor(10);
    }
    if (!f.isDone()) {
      throw new AssertionError("not done after " + maxMillis + " ms simulated");
    }
    return f.join();
  }

  <T> T await(CompletionStage<T> stage) {
    return await(stage, 120_000);
  }

  /** The failure of {@code stage} (unwrapped); fails the test if it succeeds. */
  Throwable failure(CompletionStage<?> stage) {
    try {
      Object v = await(stage);
      throw new AssertionError("expected a failure, got " + v);
    } catch (CompletionException e) {
      return UserDirectory.cause(e);
    }
  }

  /** The k live nodes closest to {@code key}. */
  List<SimulatedNode> closest(Id key, int k) {
    List<SimulatedNode> live = new ArrayList<>(sim.liveNodes());
    live.sort((a, b) -> a.id().equals(b.id()) ? 0 : key.isCloser(a.id(), b.id()) ? -1 : 1);
    return live.subList(0, Math.min(k, live.size()));
  }

  /** A node outside the 2k closest to {@code key} (so that it holds no copy of its own). */
  SimulatedNode awayFrom(Id key, int k, int skip) {
    List<SimulatedNode> near = closest(key, 2 * k);
    int seen = 0;
    for (SimulatedNode n : nodes) {
      if (!near.contains(n) && seen++ == skip) {
        return n;
      }
    }
    throw new AssertionError("no node away from " + key);
  }
}
