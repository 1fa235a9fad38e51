package org.epost.overlay.past;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.RoutedMessage;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.api.PastStatistics;

/**
 * One node's PAST: the storer (stores, serves, extends leases), the root-side coordinator of
 * inserts and renewals, and the client side of inserts. Lookups are in {@link LookupClient},
 * replica maintenance in {@link ReplicaMaintenance}.
 *
 * <p>Time (ADR 0092): lease expiries are wall times (epoch milliseconds, {@link
 * org.epost.overlay.api.Clock#wallMillis}), on disk and on the wire, read against this node's wall
 * clock with {@link PastConfig#clockSkewToleranceMillis} ({@link #leaseRunning}, {@link
 * #leaseOutlastsSkew}); timeouts, intervals and "stored at" are monotonic ({@link
 * org.epost.overlay.api.Clock#nowMillis}).
 *
 * <p>Threading: everything here runs on the node's event loop; store I/O goes through {@link
 * StorageWorker} and its result comes back to the loop. The {@link #index} is this loop's view of
 * what the store holds.
 */
final class PastNode implements Past, OverlayApplication {
  final KeyBasedRouter router;
  final NodeEnvironment env;
  final PastConfig config;
  final StorageWorker storage;
  final TreeMap<Id, IndexEntry> index = new TreeMap<>();
  final Counters counters = new Counters();
  private final AppEndpoint endpoint;
  private final LookupClient lookups;
  private final ReplicaMaintenance maintenance;
  private final Map<Long, ClientOp> clientOps = new HashMap<>();
  private final Map<Long, RootOp> rootOps = new HashMap<>();
  private long nextId = 1;
  private boolean stopped;

  /**
   * What the index knows of one stored object. {@code version} is the sequence of a mutable object;
   * {@code expiry} is a wall time, {@code storedAt} this run's monotonic time (0 for copies found
   * in the store at start).
   */
  record IndexEntry(ObjectKind kind, int size, long expiry, long version, long storedAt) {}

  /** Mutable counters behind {@link PastStatistics}. */
  static final class Counters {
    long corruptionsDetected;
    long repairObjectsSent;
    long repairBytesSent;
    long digestMessagesSent;
    long digestBytesSent;
    long refusedStores;
    long objectsCollected;
    long auditMessagesSent;
    long auditBytesSent;
    long auditFailures;
    long availabilityRepairObjectsSent;
    long availabilityRepairBytesSent;
  }

  private static final class ClientOp {
    final CompletableFuture<Integer> future = new CompletableFuture<>();
    final String what;
    Cancellable timer;

    ClientOp(String what) {
      this.what = what;
    }
  }

  private static final class RootOp {
    final NodeHandle origin;
    final long requestId;
    final int needed;
    int total;
    final byte[] expectedProof; // null: a renewal (no proof)
    List<NodeHandle> spares = List.of(); // next closest nodes, asked when a store is not proven
    PastMessage message;
    int stored;
    int answered;
    int quota;
    boolean replied;
    Cancellable timer;

    RootOp(NodeHandle origin, long requestId, int needed, int total, byte[] expectedProof) {
      this.origin = origin;
      this.requestId = requestId;
      this.needed = needed;
      this.total = total;
      this.expectedProof = expectedProof;
    }
  }

  PastNode(
      KeyBasedRouter router,
      int applicationId,
      ObjectStore store,
      Executor storageExecutor,
      PastConfig config,
      ReplicaKnowledge knowledge) {
    this.router = router;
    this.env = router.environment();
    this.config = config;
    this.storage = new StorageWorker(store, storageExecutor, env.scheduler());
    this.endpoint = router.register(applicationId, this);
    this.lookups = new LookupClient(this);
    this.maintenance = new ReplicaMaintenance(this, knowledge);
    storage.submit(
        () -> loadIndex(store),
        (loaded, failure) -> {
          if (failure == null) {
            for (Map.Entry<Id, IndexEntry> e : loaded.entrySet()) {
              index.putIfAbsent(e.getKey(), e.getValue());
            }
          }
          maintenance.start();
        });
  }

  /** A peer sent an object that failed verification: repair stops trusting its claims. */
  void caughtLying(NodeHandle from) {
    maintenance.caughtLying(from);
  }

  /**
   * Reads the store's entries (on the storage executor). A mutable object's sequence is not in the
   * entry, so its copy is read and verified once: the digest must advertise the version held, or
   * every restart would look like a stale copy to the neighbours.
   */
  private static Map<Id, IndexEntry> loadIndex(ObjectStore store) {
    Map<Id, IndexEntry> out = new HashMap<>();
    for (ObjectStore.Entry e : store.entries()) {
      long version = 0;
      if (e.kind() == ObjectKind.MUTABLE) {
        PastObject o = store.get(e.id());
        if (o == null || !o.isValid()) {
          continue;
        }
        version = o.verify().sequence();
      }
      out.put(e.id(), new IndexEntry(e.kind(), e.size(), e.expiryMillis(), version, 0));
    }
    return out;
  }

  AppEndpoint endpoint() {
    return endpoint;
  }

  /** This node's wall clock: what lease expiries are compared with. */
  long wallNow() {
    return env.clock().wallMillis();
  }

  /**
   * Whether a copy with lease {@code expiry} is still kept and accepted here at wall time {@code
   * wallNow}: the lease ends once this node's clock passes the expiry plus the skew tolerance, so
   * that a node whose clock runs ahead by up to the tolerance keeps the copy until the expiry.
   */
  boolean leaseRunning(long expiry, long wallNow) {
    return expiry > wallNow - config.clockSkewToleranceMillis();
  }

  /**
   * Whether lease {@code expiry} runs for more than the skew tolerance by this node's clock, so
   * that no honest neighbour has collected its copy yet: only such copies are repaired and audited.
   */
  boolean leaseOutlastsSkew(long expiry, long wallNow) {
    return expiry > wallNow + config.clockSkewToleranceMillis();
  }

  long newId() {
    return nextId++;
  }

  boolean stopped() {
    return stopped;
  }

  void send(NodeHandle to, PastMessage m) {
    if (stopped) {
      return;
    }
    if (to.equals(router.localHandle())) {
      byte[] bytes = PastCodec.encode(m);
      env.scheduler().execute(() -> receive(to, null, bytes));
    } else {
      endpoint.sendDirect(to, PastCodec.encode(m));
    }
  }

  // ---- client API ----

  @Override
  public CompletionStage<Integer> insert(PastObject object) {
    LoopConfinement.check(env.scheduler(), "Past.insert");
    PastObject valid;
    try {
      valid = object.verify();
    } catch (PastException e) {
      return CompletableFuture.failedFuture(e);
    }
    return clientOperation(
        "insert of " + object.id(), valid.id(), r -> new PastMessage.Insert(r, valid));
  }

  @Override
  public CompletionStage<Integer> renew(Id id, long expiryMillis) {
    LoopConfinement.check(env.scheduler(), "Past.renew");
    return clientOperation("renewal of " + id, id, r -> new PastMessage.Renew(r, id, expiryMillis));
  }

  @Override
  public CompletionStage<PastObject> lookup(Id id) {
    LoopConfinement.check(env.scheduler(), "Past.lookup");
    return lookups.lookup(id);
  }

  private CompletionStage<Integer> clientOperation(
      String what, Id key, java.util.function.LongFunction<PastMessage> message) {
    PastException.UnavailableException refused = refusal(what, clientOps.size());
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    long requestId = newId();
    ClientOp op = new ClientOp(what);
    clientOps.put(requestId, op);
    op.timer =
        env.scheduler()
            .schedule(
                config.insertTimeoutMillis(),
                () -> {
                  if (clientOps.remove(requestId) != null) {
                    op.future.completeExceptionally(
                        new PastException.InsertFailedException(
                            what
                                + ": no majority of the replica set answered within "
                                + config.insertTimeoutMillis()
                                + " ms",
                            0));
                  }
                });
    byte[] encoded = PastCodec.encode(message.apply(requestId));
    endpoint.route(key, encoded, null);
    // Routing is best effort: if no answer came back by half the timeout, route once more. Stores
    // are idempotent, so a duplicate reaching the root does no harm; the first result wins.
    env.scheduler()
        .schedule(
            config.insertTimeoutMillis() / 2,
            () -> {
              if (clientOps.containsKey(requestId) && !stopped && router.isReady()) {
                endpoint.route(key, encoded, null);
              }
            });
    return op.future;
  }

  /**
   * Why this node cannot start an operation now ({@code inFlight} of its kind pending), or null if
   * it can.
   */
  PastException.UnavailableException refusal(String what, int inFlight) {
    if (stopped) {
      return new PastException.UnavailableException(
          what + ": PAST was stopped on this node",
          PastException.UnavailableException.Reason.STOPPED,
          0,
          0);
    }
    if (!router.isReady()) {
      return new PastException.UnavailableException(
          what + ": this node has not joined the ring yet; retry once it is ready",
          PastException.UnavailableException.Reason.NOT_JOINED,
          0,
          0);
    }
    if (inFlight >= config.maxPendingOperations()) {
      return new PastException.UnavailableException(
          what + ": too many operations in flight (" + inFlight + "); retry later",
          PastException.UnavailableException.Reason.OVERLOADED,
          0,
          0);
    }
    return null;
  }

  private void onOpResult(PastMessage.OpResult r) {
    ClientOp op = clientOps.remove(r.requestId());
    if (op == null) {
      return;
    }
    op.timer.cancel();
    if (r.status() == PastMessage.Status.STORED) {
      op.future.complete(r.stored());
    } else if (r.status() == PastMessage.Status.INVALID) {
      op.future.completeExceptionally(
          new PastException.InvalidObjectException(
              op.what + ": the root refused the object as invalid"));
    } else {
      String why = r.status() == PastMessage.Status.QUOTA ? " (replicas are full)" : "";
      op.future.completeExceptionally(
          new PastException.InsertFailedException(
              op.what
                  + ": only "
                  + r.stored()
                  + " replicas stored it, a majority of "
                  + config.replicas()
                  + " is needed"
                  + why,
              r.stored()));
    }
  }

  // ---- root side ----

  private void onInsertAtRoot(NodeHandle origin, PastMessage.Insert x) {
    PastObject object;
    try {
      object = x.object().verify();
    } catch (PastException.InvalidObjectException e) {
      counters.corruptionsDetected++;
      send(origin, new PastMessage.OpResult(x.requestId(), 0, PastMessage.Status.INVALID));
      return;
    }
    long nonce = env.random().nextLong();
    startRootOp(
        origin,
        x.requestId(),
        object.id(),
        AuditProof.of(nonce, object),
        opId -> new PastMessage.Store(opId, nonce, object));
  }

  private void onRenewAtRoot(NodeHandle origin, PastMessage.Renew x) {
    startRootOp(
        origin,
        x.requestId(),
        x.id(),
        null,
        opId -> new PastMessage.RenewReplica(opId, x.id(), x.expiryMillis()));
  }

  private void startRootOp(
      NodeHandle origin,
      long requestId,
      Id key,
      byte[] expectedProof,
      java.util.function.LongFunction<PastMessage> perReplica) {
    if (rootOps.size() >= config.maxPendingOperations()) {
      send(origin, new PastMessage.OpResult(requestId, 0, PastMessage.Status.FAILED));
      return;
    }
    int k = config.replicas();
    List<NodeHandle> wider =
        endpoint.replicaSet(key, expectedProof == null ? k : Math.min(2 * k, 12));
    List<NodeHandle> set = wider.subList(0, Math.min(k, wider.size()));
    long opId = newId();
    RootOp op =
        new RootOp(
            origin, requestId, Math.min(config.majority(), set.size()), set.size(), expectedProof);
    op.spares = new java.util.ArrayList<>(wider.subList(set.size(), wider.size()));
    rootOps.put(opId, op);
    op.timer =
        env.scheduler()
            .schedule(config.insertTimeoutMillis() * 3 / 4, () -> finishRootOp(opId, true));
    PastMessage m = perReplica.apply(opId);
    op.message = m;
    for (NodeHandle h : set) {
      send(h, m);
    }
  }

  private void onStoreAck(NodeHandle from, PastMessage.StoreAck a) {
    RootOp op = rootOps.get(a.operationId());
    if (op == null) {
      return;
    }
    op.answered++;
    // A store counts only with a proof over the bytes the replica read back: a storer that claims
    // to store and does not (or keeps other bytes) cannot make up the majority.
    boolean proven =
        op.expectedProof == null
            || java.security.MessageDigest.isEqual(op.expectedProof, a.proof());
    if (a.status() == PastMessage.Status.STORED && proven) {
      op.stored++;
    } else {
      if (a.status() == PastMessage.Status.STORED && from != null) {
        maintenance.caughtLying(
            from); // said stored, could not prove it: an honest store reads back
      }
      if (a.status() == PastMessage.Status.QUOTA) {
        op.quota++;
      }
      // A member that could not prove the store (full, lying, or lost it) is replaced by the next
      // closest node, so that k honest copies exist and a majority can still be reached.
      // A refusal (a stale version, an invalid object) is an answer, not a fault: no replacement.
      boolean faulty =
          a.status() == PastMessage.Status.STORED
              || a.status() == PastMessage.Status.QUOTA
              || a.status() == PastMessage.Status.FAILED;
      if (faulty && op.expectedProof != null && !op.spares.isEmpty()) {
        op.total++;
        send(op.spares.remove(0), op.message);
      }
    }
    if (!op.replied && op.stored >= op.needed) {
      op.replied = true;
      send(op.origin, new PastMessage.OpResult(op.requestId, op.stored, PastMessage.Status.STORED));
    }
    if (op.answered >= op.total) {
      finishRootOp(a.operationId(), false);
    }
  }

  private void finishRootOp(long opId, boolean timedOut) {
    RootOp op = rootOps.remove(opId);
    if (op == null) {
      return;
    }
    if (!timedOut) {
      op.timer.cancel();
    }
    if (!op.replied) {
      int status = op.quota > 0 ? PastMessage.Status.QUOTA : PastMessage.Status.NOT_STORED;
      send(op.origin, new PastMessage.OpResult(op.requestId, op.stored, status));
    }
  }

  // ---- storer side ----

  private void onStore(NodeHandle from, PastMessage.Store s) {
    boolean repair = s.operationId() == 0;
    if (repair) {
      maintenance.pulled(s.object().id());
    }
    storeVerified(
        s.object(),
        repair,
        status -> {
          if (status == PastMessage.Status.INVALID && repair) {
            maintenance.caughtLying(from);
          }
          if (repair) {
            return;
          }
          if (status != PastMessage.Status.STORED) {
            send(from, new PastMessage.StoreAck(s.operationId(), status, AuditProof.NOT_HELD));
            return;
          }
          // Prove the store holds it: read it back and answer with a proof over the root's nonce.
          storage.submit(
              () -> storage.store().get(s.object().id()),
              (back, failure) -> {
                if (failure == null
                    && back != null
                    && back.kind() == ObjectKind.MUTABLE
                    && !java.util.Arrays.equals(back.bytesUnsafe(), s.object().bytesUnsafe())) {
                  // Another version signed under the same sequence (an owner that retried with a
                  // new
                  // expiry): a refusal like a stale version. Answering STORED with a proof over the
                  // copy we
                  // hold would make the root take this honest storer for a liar.
                  counters.refusedStores++;
                  send(
                      from,
                      new PastMessage.StoreAck(
                          s.operationId(), PastMessage.Status.NOT_STORED, AuditProof.NOT_HELD));
                  return;
                }
                byte[] proof =
                    failure == null && back != null
                        ? AuditProof.of(s.nonce(), back)
                        : AuditProof.NOT_HELD;
                send(from, new PastMessage.StoreAck(s.operationId(), status, proof));
              });
        });
  }

  /**
   * Verifies and stores {@code candidate}; {@code done} gets a {@link PastMessage.Status}. A repair
   * push is only accepted while this node is within the retain width of the id.
   */
  void storeVerified(PastObject candidate, boolean repair, java.util.function.IntConsumer done) {
    PastObject object;
    try {
      object = candidate.verify();
    } catch (PastException.InvalidObjectException e) {
      counters.corruptionsDetected++;
      counters.refusedStores++;
      done.accept(PastMessage.Status.INVALID);
      return;
    }
    long wall = wallNow();
    if (!leaseRunning(object.expiryMillis(), wall)
        || (repair && !maintenance.retains(object.id()))) {
      counters.refusedStores++;
      done.accept(PastMessage.Status.NOT_STORED);
      return;
    }
    IndexEntry held = index.get(object.id());
    if (held != null && held.kind() != object.kind()) {
      counters.refusedStores++;
      done.accept(PastMessage.Status.INVALID);
      return;
    }
    if (held != null
        && (object.kind() == ObjectKind.IMMUTABLE || object.sequence() == held.version())) {
      done.accept(PastMessage.Status.STORED); // idempotent
      return;
    }
    if (held != null && object.sequence() < held.version()) {
      counters.refusedStores++; // a stale version: keep the higher one we hold
      done.accept(PastMessage.Status.NOT_STORED);
      return;
    }
    // A lease longer than this storer grants is cut to its maximum from this storer's wall clock (a
    // mutable object's expiry is signed: kept as it is).
    PastObject capped =
        object.kind() == ObjectKind.IMMUTABLE
                && object.expiryMillis() - wall > config.maxLeaseMillis()
            ? object.withExpiry(wall + config.maxLeaseMillis())
            : object;
    storage.submit(
        () -> storage.store().put(capped),
        (result, failure) -> {
          if (failure instanceof PastException.QuotaExceededException) {
            counters.refusedStores++;
            done.accept(PastMessage.Status.QUOTA);
          } else if (failure != null) {
            counters.refusedStores++;
            done.accept(PastMessage.Status.FAILED);
          } else {
            IndexEntry now2 = index.get(capped.id());
            maintenance.newObjectStored(); // tell the neighbours soon, so that they count this copy
            if (now2 == null || capped.sequence() > now2.version()) {
              index.put(
                  capped.id(),
                  new IndexEntry(
                      capped.kind(),
                      capped.size(),
                      capped.expiryMillis(),
                      capped.sequence(),
                      env.clock().nowMillis()));
            }
            done.accept(PastMessage.Status.STORED);
          }
        });
  }

  private void onRenewReplica(NodeHandle from, PastMessage.RenewReplica r) {
    IndexEntry held = index.get(r.id());
    long wall = wallNow();
    if (held == null || held.kind() != ObjectKind.IMMUTABLE) {
      send(
          from,
          new PastMessage.StoreAck(
              r.operationId(), PastMessage.Status.NOT_STORED, AuditProof.NOT_HELD));
      return;
    }
    long expiry = Math.min(r.expiryMillis(), wall + config.maxLeaseMillis());
    if (expiry <= held.expiry()) {
      send(
          from,
          new PastMessage.StoreAck(
              r.operationId(), PastMessage.Status.STORED, AuditProof.NOT_HELD));
      return;
    }
    storage.submit(
        () -> storage.store().setExpiry(r.id(), expiry),
        (ok, failure) -> {
          boolean done = failure == null && Boolean.TRUE.equals(ok);
          if (done) {
            IndexEntry e = index.get(r.id());
            if (e != null) {
              index.put(
                  r.id(),
                  new IndexEntry(
                      e.kind(), e.size(), Math.max(e.expiry(), expiry), e.version(), e.storedAt()));
            }
          }
          send(
              from,
              new PastMessage.StoreAck(
                  r.operationId(),
                  done ? PastMessage.Status.STORED : PastMessage.Status.NOT_STORED,
                  AuditProof.NOT_HELD));
        });
  }

  /**
   * Answers a reader with this node's copy of {@code id} (or none) and the replica set as known
   * here.
   */
  void serve(NodeHandle reader, long requestId, Id id) {
    // Twice k candidates: the reader tries the nearest first and reaches the retained copies beyond
    // the k closest only when those fail (for instance when closer nodes lie about holding it).
    List<NodeHandle> candidates = endpoint.replicaSet(id, Math.min(2 * config.replicas(), 12));
    if (!index.containsKey(id)) {
      send(reader, new PastMessage.FetchReply(requestId, id, null, candidates));
      return;
    }
    storage.submit(
        () -> storage.store().get(id),
        (object, failure) -> {
          PastObject o = failure == null ? object : null;
          if (o == null) {
            index.remove(
                id); // the store lost it (corruption dropped, disk trouble): repair will refetch
          }
          send(reader, new PastMessage.FetchReply(requestId, id, o, candidates));
        });
  }

  // ---- overlay upcalls ----

  @Override
  public void deliver(RoutedMessage message) {
    receive(message.source(), message.key(), message.payload());
  }

  @Override
  public boolean forward(RoutedMessage message, NodeHandle nextHop) {
    if (stopped
        || message.payloadLength() != LookupClient.LOOKUP_LENGTH
        || nextHop.equals(router.localHandle())) {
      return true;
    }
    return lookups.interceptOnRoute(message);
  }

  @Override
  public void update(NodeHandle handle, boolean joined) {
    if (!stopped) {
      maintenance.onLeafSetChange(handle, joined);
    }
  }

  private void receive(NodeHandle source, Id key, byte[] payload) {
    if (stopped) {
      return;
    }
    PastMessage m;
    try {
      m = PastCodec.decode(payload);
    } catch (MalformedFrameException e) {
      return; // malformed: not object corruption; dropped
    }
    if (m instanceof PastMessage.Insert x) {
      onInsertAtRoot(source, x);
    } else if (m instanceof PastMessage.Store x) {
      onStore(source, x);
    } else if (m instanceof PastMessage.StoreAck x) {
      onStoreAck(source, x);
    } else if (m instanceof PastMessage.OpResult x) {
      onOpResult(x);
    } else if (m instanceof PastMessage.Lookup x) {
      serve(source, x.requestId(), x.id());
    } else if (m instanceof PastMessage.Fetch x) {
      serve(source, x.requestId(), x.id());
    } else if (m instanceof PastMessage.FetchReply x) {
      lookups.onReply(source, x);
    } else if (m instanceof PastMessage.Renew x) {
      onRenewAtRoot(source, x);
    } else if (m instanceof PastMessage.RenewReplica x) {
      onRenewReplica(source, x);
    } else if (m instanceof PastMessage.Sync x) {
      maintenance.onSync(source, x);
    } else if (m instanceof PastMessage.Offer x) {
      maintenance.onOffer(source, x);
    } else if (m instanceof PastMessage.Pull x) {
      maintenance.onPull(source, x);
    } else if (m instanceof PastMessage.Audit x) {
      maintenance.onAudit(source, x);
    } else if (m instanceof PastMessage.AuditReply x) {
      maintenance.onAuditReply(source, x);
    }
  }

  @Override
  public PastStatistics statistics() {
    LoopConfinement.check(env.scheduler(), "Past.statistics");
    Counters c = counters;
    return new PastStatistics(
        c.corruptionsDetected,
        c.repairObjectsSent,
        c.repairBytesSent,
        c.digestMessagesSent,
        c.digestBytesSent,
        c.refusedStores,
        c.objectsCollected,
        c.auditMessagesSent,
        c.auditBytesSent,
        c.auditFailures,
        c.availabilityRepairObjectsSent,
        c.availabilityRepairBytesSent);
  }

  @Override
  public void stop() {
    LoopConfinement.check(env.scheduler(), "Past.stop");
    if (stopped) {
      return;
    }
    stopped = true;
    maintenance.stop();
    for (ClientOp op : clientOps.values()) {
      op.timer.cancel();
      op.future.completeExceptionally(
          new PastException.UnavailableException(
              op.what + ": PAST was stopped on this node",
              PastException.UnavailableException.Reason.STOPPED,
              0,
              0));
    }
    clientOps.clear();
    for (RootOp op : rootOps.values()) {
      op.timer.cancel();
    }
    rootOps.clear();
    lookups.stop();
  }
}
