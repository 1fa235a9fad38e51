package org.epost.post.node;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserIdentity;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.scribe.ScribeFactory;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.ReceivedNotification;
import org.epost.post.directory.AccountLog;
import org.epost.post.directory.CertificateRequest;
import org.epost.post.directory.DirectoryAuthority;
import org.epost.post.directory.DirectoryLocalState;
import org.epost.post.directory.Enrolment;
import org.epost.post.log.MemoryLogLocalState;
import org.epost.post.notify.MemoryPendingItemStore;
import org.epost.post.notify.NotifyLocalState;
import org.epost.post.notify.PendingItemStore;
import org.epost.post.store.MemoryLeaseLedger;

/**
 * Test fixture: a simulated ring of real Pastry nodes, each running real PAST (memory object stores
 * kept across a node's restarts), a Scribe the fixture creates and passes in, as a node runtime
 * does, and a {@link PostNode}; users enrolled through the real directory path.
 */
final class PostRing {
  final Simulation sim;
  final PastConfig pastConfig = PastConfig.defaults().withMaintenance(60_000, 5_000);
  final PostNode.Config config = PostNode.Config.defaults();
  final DirectoryAuthority authority;
  final Map<Id, Slot> slots = new HashMap<>();
  final Map<Id, ObjectStore> objectStores = new HashMap<>();
  private final Function<SimulatedNode, PendingItemStore> pendingStores;
  Function<SimulatedNode, DirectoryLocalState> directoryStates =
      node -> DirectoryLocalState.inMemory();

  /** One node and its services. */
  static final class Slot {
    SimulatedNode node;
    Past past;
    Scribe scribe;
    PostNode post;
  }

  PostRing(long seed, Function<SimulatedNode, PendingItemStore> pendingStores) {
    this.sim = Simulation.builder().seed(seed).build();
    this.pendingStores = pendingStores;
    SecureRandom r = seeded(seed);
    this.authority = new DirectoryAuthority(SigningKeyPair.generate(r), r);
  }

  PostRing(long seed) {
    this(seed, node -> new MemoryPendingItemStore());
  }

  PostRing build(int n) {
    start(sim.createRing());
    for (int i = 1; i < n; i++) {
      sim.runFor(50);
      start(sim.addNode());
    }
    sim.runFor(60_000);
    return this;
  }

  Slot start(SimulatedNode node) {
    Slot s = new Slot();
    s.node = node;
    ObjectStore store =
        objectStores.computeIfAbsent(node.id(), k -> new MemoryObjectStore(64L << 20));
    s.past = PastNodes.create(node.overlay(), store, Runnable::run, pastConfig);
    s.scribe = ScribeFactory.create(node.overlay());
    s.post =
        PostNode.create(
            node.overlay(),
            s.past,
            s.scribe,
            authority.publicKey(),
            pendingStores.apply(node),
            directoryStates.apply(node),
            config);
    slots.put(node.id(), s);
    return s;
  }

  List<Slot> live() {
    return new ArrayList<>(slots.values());
  }

  /** The node dies at once: nothing is stopped or closed (a crash). */
  void crash(Slot s) {
    slots.remove(s.node.id());
    sim.fail(s.node);
  }

  /** A node with {@code id} joins again (after a crash) and starts its services. */
  Slot restart(Id id) {
    List<Address> boot = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      boot.add(sim.randomReadyNode().address());
    }
    return start(sim.addNode(id, boot));
  }

  /** The k live nodes closest to {@code key}. */
  List<Slot> closest(Id key, int k) {
    List<Slot> live = live();
    live.sort(
        (a, b) ->
            a.node.id().equals(b.node.id()) ? 0 : key.isCloser(a.node.id(), b.node.id()) ? -1 : 1);
    return live.subList(0, Math.min(k, live.size()));
  }

  /** A user's keys and directory entry, made through the real enrolment path. */
  final class Person {
    final String address;
    final UserIdentity identity;
    final DirectoryEntry entry;
    PostNode.User user;

    Person(String address, NodeEnvironment env) {
      this.address = address;
      this.identity = Enrolment.generate(env.random().secure());
      CertificateRequest req =
          Enrolment.request(address, identity, env.clock().wallInstant(), env.random().secure());
      this.entry = authority.enrol(req.encode(), env.clock().wallInstant(), Duration.ofDays(365));
    }

    /** Attaches this person to {@code s} with {@code state}, telling {@code listener}. */
    Person on(Slot s, PostNode.UserState state, NotificationListener listener) {
      user = s.post.attach(identity, entry.certificate(), "laptop", state, listener);
      return this;
    }

    /** Publishes the entry and writes the account log (the real enrolment's last step). */
    void enrol(Slot s) {
      await(
          Enrolment.complete(
              s.post.userDirectory(),
              user.logs(),
              new AccountLog(),
              entry,
              identity,
              s.node.overlay().environment().clock().wallMillis()),
          120_000);
    }
  }

  Person person(String address, Slot s) {
    return new Person(address, s.node.overlay().environment());
  }

  PostNode.UserState memoryState() {
    return new PostNode.UserState(
        new MemoryLogLocalState(),
        new NotifyLocalState(config.notification()),
        new MemoryLeaseLedger());
  }

  /** A listener that records and answers each notification with a stage the test chooses. */
  static final class Inbox implements NotificationListener {
    final List<ReceivedNotification> received = new ArrayList<>();
    final List<CompletableFuture<Void>> answers = new ArrayList<>();
    Function<ReceivedNotification, CompletableFuture<Void>> answer =
        n -> CompletableFuture.completedFuture(null);

    @Override
    public CompletionStage<Void> received(ReceivedNotification n) {
      received.add(n);
      CompletableFuture<Void> f = answer.apply(n);
      answers.add(f);
      return f;
    }
  }

  <T> T await(CompletionStage<T> stage, long maxMillis) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    long end = sim.nowMillis() + maxMillis;
    while (!f.isDone() && sim.nowMillis() < end) {
      sim.runFor(10);
    }
    if (!f.isDone()) {
      throw new AssertionError("not done after " + maxMillis + " ms simulated");
    }
    try {
      return f.join();
    } catch (CompletionException e) {
      throw new AssertionError("failed: " + e.getCause(), e.getCause());
    }
  }

  boolean runUntil(BooleanSupplier done, long maxMillis) {
    long end = sim.nowMillis() + maxMillis;
    while (!done.getAsBoolean() && sim.nowMillis() < end) {
      sim.runFor(10);
    }
    return done.getAsBoolean();
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
}
