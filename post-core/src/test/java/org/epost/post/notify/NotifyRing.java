package org.epost.post.notify;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.cert.CertificateVerifier;
import org.epost.crypto.cert.RingAuthority;
import org.epost.overlay.api.Id;
import org.epost.overlay.scribe.ScribeFactory;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.Notifications;
import org.epost.post.api.ReceivedNotification;

/**
 * Test fixture: a simulated ring of real Pastry nodes (100 ms-mean latency) each running real
 * Scribe and the real notification service, users with certificates issued by a real ring
 * authority, and sender verification through crypto's CertificateVerifier.
 */
final class NotifyRing {
  final Simulation sim;
  final NotifyConfig config;
  final RingAuthority authority;
  final CertificateVerifier certificateVerifier;
  final Map<String, UserCertificate> directory = new HashMap<>();
  final Map<SimulatedNode, NotifyNode> notify = new HashMap<>();
  final Map<SimulatedNode, Scribe> scribes = new HashMap<>();
  final List<SimulatedNode> nodes = new ArrayList<>();
  private final Function<SimulatedNode, PendingItemStore> storeFactory;
  private final SecureRandom keys;

  NotifyRing(long seed, NotifyConfig config, Function<SimulatedNode, PendingItemStore> stores) {
    this.sim = Simulation.builder().seed(seed).build();
    this.config = config;
    this.storeFactory = stores;
    this.keys = seeded(seed);
    this.authority = new RingAuthority(SigningKeyPair.generate(keys), keys);
    this.certificateVerifier = new CertificateVerifier(authority.publicKey());
  }

  NotifyRing(long seed, NotifyConfig config) {
    this(seed, config, n -> new MemoryPendingItemStore());
  }

  NotifyRing build(int n) {
    attach(sim.createRing());
    for (int i = 1; i < n; i++) {
      sim.runFor(50);
      attach(sim.addNode());
    }
    sim.runFor(30_000);
    return this;
  }

  SimulatedNode attach(SimulatedNode node) {
    Scribe scribe = ScribeFactory.create(node.overlay());
    scribes.put(node, scribe);
    notify.put(node, NotifyNode.create(node.overlay(), scribe, config, storeFactory.apply(node)));
    nodes.add(node);
    return node;
  }

  /** A node joining now (not yet ready), with its services. */
  SimulatedNode join() {
    return attach(sim.addNode());
  }

  void fail(SimulatedNode node) {
    notify.remove(node);
    scribes.remove(node);
    nodes.remove(node);
    sim.fail(node);
  }

  /** A user: keys, a certificate in the directory, a local state that survives its node. */
  final class User implements NotificationListener {
    final String address;
    final UserIdentity identity;
    final UserCertificate certificate;
    final NotifyLocalState state = new NotifyLocalState(config);
    final List<ReceivedNotification> received = new ArrayList<>();
    final Map<NotificationId, Long> receivedAt = new HashMap<>();
    final List<NotificationStatus> changes = new ArrayList<>();
    SimulatedNode node;
    Notifications service;

    User(String address) {
      this.address = address;
      this.identity = UserIdentity.generate(keys);
      Instant now = Instant.ofEpochMilli(sim.wallMillis());
      this.certificate =
          authority.issueUserCertificate(
              address,
              identity.signing().publicKey(),
              identity.encryption().publicKey(),
              now.minusSeconds(3600),
              now.plusSeconds(400L * 24 * 3600));
      directory.put(address, certificate);
    }

    /** Runs this user on {@code n} (with the same local state as before). */
    User on(SimulatedNode n) {
      this.node = n;
      this.service =
          notify
              .get(n)
              .attach(
                  identity,
                  certificate,
                  new CertificateSenderVerifier(
                      certificateVerifier,
                      a -> Optional.ofNullable(directory.get(a)),
                      n.overlay().environment().clock()),
                  state,
                  this);
      return this;
    }

    Id inbox() {
      return Keys.inbox(identity.signing().publicKey());
    }

    @Override
    public CompletionStage<Void> received(ReceivedNotification n) {
      received.add(n);
      receivedAt.put(n.id(), sim.nowMillis());
      return CompletableFuture.completedFuture(
          null); // the test's list is this user's durable inbox
    }

    @Override
    public void stateChanged(NotificationStatus status) {
      changes.add(status);
    }
  }

  User user(String address) {
    return new User(address);
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

  Throwable failure(CompletionStage<?> stage, long maxMillis) {
    try {
      await(stage, maxMillis);
    } catch (CompletionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }

  /** Runs until {@code done} holds (checked every 10 ms), at most {@code maxMillis}. */
  boolean runUntil(java.util.function.BooleanSupplier done, long maxMillis) {
    long end = sim.nowMillis() + maxMillis;
    while (!done.getAsBoolean() && sim.nowMillis() < end) {
      sim.runFor(10);
    }
    return done.getAsBoolean();
  }

  List<SimulatedNode> closest(Id key, int k) {
    List<SimulatedNode> live = new ArrayList<>(sim.liveNodes());
    live.sort((a, b) -> a.id().equals(b.id()) ? 0 : key.isCloser(a.id(), b.id()) ? -1 : 1);
    return live.subList(0, Math.min(k, live.size()));
  }

  /** Items held for {@code inbox} by each live storer. */
  int copies(Id inbox) {
    int n = 0;
    for (NotifyNode s : notify.values()) {
      n += s.itemsFor(inbox) > 0 ? 1 : 0;
    }
    return n;
  }

  long totalItems() {
    long n = 0;
    for (NotifyNode s : notify.values()) {
      n += s.statistics().items();
    }
    return n;
  }

  StorerStatistics sumStorers() {
    long[] a = new long[16];
    for (NotifyNode s : notify.values()) {
      StorerStatistics t = s.statistics();
      long[] b = {
        t.stored(),
        t.refusedTooLarge(),
        t.refusedBadItem(),
        t.refusedRecipientFull(),
        t.refusedSenderQuota(),
        t.refusedSourceQuota(),
        t.refusedStoreFull(),
        t.fetchesServed(),
        t.requestsRejected(),
        t.deleted(),
        t.expired(),
        t.repaired(),
        t.handedOff(),
        t.malformed(),
        t.items(),
        t.bytes()
      };
      for (int i = 0; i < 16; i++) {
        a[i] += b[i];
      }
    }
    return new StorerStatistics(
        a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13],
        a[14], a[15]);
  }

  static long percentile(List<Long> values, double p) {
    List<Long> s = new ArrayList<>(values);
    s.sort(Long::compare);
    int i = (int) Math.ceil(p * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }
}
