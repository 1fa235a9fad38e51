package org.epost.post.log;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.post.api.LogApplication;
import org.epost.post.api.LogContents;
import org.epost.post.api.LogLocalState;

/**
 * Test fixture: a simulated ring of real Pastry nodes with real PAST on each (on the simulation's
 * 100 ms-mean latency model), and helpers to run the log service on them.
 */
final class LogRing {
  final Simulation sim;
  final PastConfig config = PastConfig.defaults().withMaintenance(60_000, 5_000);
  final Map<SimulatedNode, Past> pasts = new HashMap<>();
  final Map<SimulatedNode, ObjectStore> stores = new HashMap<>();
  final List<SimulatedNode> nodes = new ArrayList<>();
  private final Function<SimulatedNode, ObjectStore> storeFactory;

  LogRing(long seed, Function<SimulatedNode, ObjectStore> storeFactory) {
    this.sim = Simulation.builder().seed(seed).build();
    this.storeFactory = storeFactory;
  }

  LogRing(long seed) {
    this(seed, n -> new MemoryObjectStore(64L << 20));
  }

  LogRing build(int n) {
    attach(sim.createRing());
    for (int i = 1; i < n; i++) {
      sim.runFor(50);
      attach(sim.addNode());
    }
    sim.runFor(60_000);
    return this;
  }

  SimulatedNode attach(SimulatedNode node) {
    ObjectStore store = storeFactory.apply(node);
    stores.put(node, store);
    pasts.put(node, PastNodes.create(node.overlay(), store, Runnable::run, config));
    nodes.add(node);
    return node;
  }

  void fail(SimulatedNode node) {
    pasts.remove(node);
    stores.remove(node);
    nodes.remove(node);
    sim.fail(node);
  }

  SimulatedNode node(int i) {
    return nodes.get(i);
  }

  SignedLogs logs(
      SimulatedNode node, SigningKeyPair user, String device, LogLocalState local, LogConfig c) {
    return SignedLogs.create(pasts.get(node), node.overlay().environment(), user, device, local, c);
  }

  static SigningKeyPair user(long seed) {
    SecureRandom r;
    try {
      r = SecureRandom.getInstance("SHA1PRNG");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    r.setSeed(seed);
    return SigningKeyPair.generate(r);
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
      await(stage);
    } catch (CompletionException e) {
      return RingAccess.cause(e);
    }
    throw new AssertionError("expected a failure");
  }

  /** The k live nodes closest to {@code key}. */
  List<SimulatedNode> closest(Id key, int k) {
    List<SimulatedNode> live = new ArrayList<>(sim.liveNodes());
    live.sort((a, b) -> a.id().equals(b.id()) ? 0 : key.isCloser(a.id(), b.id()) ? -1 : 1);
    return live.subList(0, Math.min(k, live.size()));
  }

  /**
   * A folder-like application: its state is the list of operations applied, its snapshot that list
   * encoded.
   */
  static final class ListApp implements LogApplication {
    final List<byte[]> state = new ArrayList<>();
    int catchUps;
    int snapshots;

    void applyLocally(byte[] op) {
      state.add(op);
    }

    @Override
    public void catchUp(LogContents missed) {
      catchUps++;
      if (missed.hasSnapshot()) {
        state.clear();
        try {
          state.addAll(Operations.decode(missed.snapshot(), 1 << 20));
        } catch (org.epost.crypto.api.CryptoFormatException e) {
          throw new IllegalStateException(e);
        }
      }
      int keep = (int) missed.fromSequence();
      while (state.size() > keep) {
        state.remove(state.size() - 1);
      }
      state.addAll(missed.operations());
    }

    @Override
    public byte[] snapshot(long sequence) {
      snapshots++;
      if (sequence != state.size()) {
        throw new IllegalStateException(
            "snapshot of " + sequence + " but state holds " + state.size());
      }
      return Operations.encode(state);
    }
  }

  /** Replays what a reader got into a list of operations. */
  static List<byte[]> replay(LogContents c) {
    List<byte[]> out = new ArrayList<>();
    if (c.hasSnapshot()) {
      try {
        out.addAll(Operations.decode(c.snapshot(), 1 << 20));
      } catch (org.epost.crypto.api.CryptoFormatException e) {
        throw new IllegalStateException(e);
      }
    }
    out.addAll(c.operations());
    return out;
  }

  static byte[] op(int i, int size) {
    byte[] b = new byte[size];
    for (int j = 0; j < size; j++) {
      b[j] = (byte) (i * 31 + j);
    }
    b[0] = (byte) (i >> 24);
    b[1] = (byte) (i >> 16);
    b[2] = (byte) (i >> 8);
    b[3] = (byte) i;
    return b;
  }
}
