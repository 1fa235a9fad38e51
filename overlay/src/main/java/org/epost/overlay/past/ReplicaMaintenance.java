package org.epost.overlay.past;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.past.api.ObjectKind;

/**
 * Keeps k replicas of every object on its k closest live nodes without shipping inventories.
 *
 * <p>Pull by digest: a node sends each of its nearest neighbours (retain width / 2 per side) the
 * arc in which it may be among the k closest and a salted Bloom filter of the (id, version) pairs
 * it holds in that arc. A neighbour offers (ids only) every object it holds in the arc that is
 * missing from the filter and that, by its own leaf set, the requester should hold; the requester
 * pulls each missing object from the first neighbour that offered it, so an object crosses the
 * network once per missing replica even when several holders notice the gap. So a node that joins or
 * returns, or that moves into a replica set because a member left, fetches exactly what it lacks;
 * a stale mutable version is replaced because its (id, version) is not in the filter.
 *
 * <p>Copies outside the retain width are collected only when the store is over 80% of its quota
 * (lazy deletion): a far copy costs nothing until space is needed, and it may be the last honest
 * one when the nodes closer to the id are byzantine and only claim to hold it.
 *
 * <p>When: shortly after a leaf-set change among this node's k nearest neighbours (batched over
 * {@code syncDelayMillis}) and every {@code maintenanceMillis} as a backstop. Garbage collection
 * runs with the periodic round: expired leases, and objects this node is no longer within the
 * retain width of. Copies between position k and the retain width are kept on purpose: a node
 * that comes back from a short absence then already holds what it needs.
 */
final class ReplicaMaintenance {
  private static final int MAX_PULLING = 4096;
  private static final long PULL_TIMEOUT_MILLIS = 30_000;
  private final PastNode node;
  private final java.util.HashMap<Id, Long> pulling = new java.util.HashMap<>();
  private Cancellable periodic;
  private Cancellable pendingSync;
  private boolean stopped;

  ReplicaMaintenance(PastNode node) {
    this.node = node;
  }

  void start() {
    if (stopped || node.stopped()) {
      return;
    }
    long period = node.config.maintenanceMillis();
    periodic = node.env.scheduler().schedule(node.env.random().nextInt((int) Math.min(period, Integer.MAX_VALUE)) + 1,
        this::tick);
    scheduleSync();
  }

  private void tick() {
    if (stopped) {
      return;
    }
    periodic = node.env.scheduler().schedule(node.config.maintenanceMillis(), this::tick);
    if (node.router.isReady()) {
      collectGarbage();
      syncRound();
    }
  }

  void onLeafSetChange(NodeHandle handle, boolean joined) {
    if (stopped) {
      return;
    }
    RingView view = view();
    int d = view.distanceInView(handle.id());
    // A member within k positions left (we may now hold new keys) or joined (a newcomer near us):
    // a leave far away does not change our replica sets.
    if (joined ? d >= 0 && d <= 1 : d < 0 || d <= node.config.replicas()) {
      scheduleSync();
    }
  }

  private void scheduleSync() {
    if (pendingSync != null || stopped) {
      return;
    }
    pendingSync = node.env.scheduler().schedule(node.config.syncDelayMillis(), () -> {
      pendingSync = null;
      if (node.router.isReady()) {
        syncRound();
      } else {
        scheduleSync();
      }
    });
  }

  private RingView view() {
    return RingView.of(node.router.localHandle().id(), node.router.leafSet(),
        node.router.environment() == null ? 0 : leafSetCapacity());
  }

  private int leafSetCapacity() {
    // The leaf set reports only members; a ring smaller than L shows fewer. Treat a view of fewer
    // than 2 * retain width members as the whole ring (responsibility cannot be excluded).
    return 2 * node.config.retainWidth();
  }

  /** Sends this node's digest to its nearest neighbours. */
  void syncRound() {
    RingView view = view();
    if (view.size() < 2) {
      return;
    }
    Id self = node.router.localHandle().id();
    Id[] arc = view.responsibleArc(node.config.replicas());
    Id from = arc == null ? self : arc[0];
    Id to = arc == null ? self : arc[1];
    List<Map.Entry<Id, PastNode.IndexEntry>> held = entriesIn(from, to, arc == null);
    BloomFilter filter = BloomFilter.forElements(held.size(), node.env.random().nextLong());
    for (Map.Entry<Id, PastNode.IndexEntry> e : held) {
      filter.add(e.getKey(), e.getValue().version());
    }
    PastMessage.Sync sync = new PastMessage.Sync(from, to, filter);
    byte[] encoded = PastCodec.encode(sync);
    for (Id neighbour : view.neighbours(Math.max(node.config.replicas(), node.config.retainWidth() / 2))) {
      NodeHandle h = handleOf(neighbour);
      if (h != null) {
        node.endpoint().sendDirect(h, encoded);
        node.counters.digestMessagesSent++;
        node.counters.digestBytesSent += encoded.length;
      }
    }
  }

  private NodeHandle handleOf(Id id) {
    for (NodeHandle h : node.router.leafSet()) {
      if (h.id().equals(id)) {
        return h;
      }
    }
    return null;
  }

  /** A neighbour's digest: offer it the ids it lacks and should hold (ids only; it pulls what it wants). */
  void onSync(NodeHandle requester, PastMessage.Sync sync) {
    boolean all = sync.from().equals(sync.to());
    List<Map.Entry<Id, PastNode.IndexEntry>> candidates = entriesIn(sync.from(), sync.to(), all);
    if (candidates.isEmpty()) {
      return;
    }
    RingView view = view().with(requester.id());
    long now = node.env.clock().nowMillis();
    List<Id> ids = new ArrayList<>();
    List<Long> versions = new ArrayList<>();
    for (Map.Entry<Id, PastNode.IndexEntry> e : candidates) {
      Id id = e.getKey();
      PastNode.IndexEntry entry = e.getValue();
      if (entry.expiry() <= now || sync.filter().mightContain(id, entry.version())) {
        continue;
      }
      if (!view.isAmongClosest(requester.id(), id, node.config.replicas())) {
        continue;
      }
      ids.add(id);
      versions.add(entry.version());
      if (ids.size() >= Math.min(node.config.maxPushesPerSync(), PastCodec.MAX_IDS)) {
        break;
      }
    }
    if (!ids.isEmpty()) {
      long[] v = versions.stream().mapToLong(Long::longValue).toArray();
      byte[] encoded = PastCodec.encode(new PastMessage.Offer(ids, v));
      node.endpoint().sendDirect(requester, encoded);
      node.counters.digestMessagesSent++;
      node.counters.digestBytesSent += encoded.length;
    }
  }

  /** Several neighbours may offer the same object: pull each missing one from the first offer only. */
  void onOffer(NodeHandle holder, PastMessage.Offer offer) {
    long now = node.env.clock().nowMillis();
    List<Id> wanted = new ArrayList<>();
    for (int i = 0; i < offer.ids().size(); i++) {
      Id id = offer.ids().get(i);
      PastNode.IndexEntry held = node.index.get(id);
      if (held != null && held.version() >= offer.versions()[i]) {
        continue;
      }
      Long until = pulling.get(id);
      if (until != null && until > now) {
        continue; // already pulling it from another holder
      }
      if (pulling.size() >= MAX_PULLING) {
        pulling.values().removeIf(t -> t <= now);
        if (pulling.size() >= MAX_PULLING) {
          break;
        }
      }
      pulling.put(id, now + PULL_TIMEOUT_MILLIS);
      wanted.add(id);
    }
    if (!wanted.isEmpty()) {
      byte[] encoded = PastCodec.encode(new PastMessage.Pull(wanted));
      node.endpoint().sendDirect(holder, encoded);
      node.counters.digestMessagesSent++;
      node.counters.digestBytesSent += encoded.length;
    }
  }

  /** A pulled object arrived (valid or not): another holder may be asked for it again. */
  void pulled(Id id) {
    pulling.remove(id);
  }

  void onPull(NodeHandle requester, PastMessage.Pull pull) {
    for (Id id : pull.ids()) {
      if (node.index.containsKey(id)) {
        push(requester, id);
      }
    }
  }

  private void push(NodeHandle to, Id id) {
    node.storage.submit(() -> node.storage.store().get(id), (object, failure) -> {
      if (failure != null || object == null || stopped) {
        if (failure == null && object == null) {
          node.index.remove(id);
        }
        return;
      }
      byte[] encoded = PastCodec.encode(new PastMessage.Store(0, object));
      node.endpoint().sendDirect(to, encoded);
      node.counters.repairObjectsSent++;
      node.counters.repairBytesSent += encoded.length;
    });
  }

  /** Whether this node should keep (or accept as repair) a copy of {@code id}. */
  boolean retains(Id id) {
    RingView view = view();
    return view.isAmongClosest(node.router.localHandle().id(), id, node.config.retainWidth());
  }

  private void collectGarbage() {
    long now = node.env.clock().nowMillis();
    RingView view = view();
    Id self = node.router.localHandle().id();
    List<Id> drop = new ArrayList<>();
    // Copies outside the retain width are dropped only under space pressure: such a copy may be
    // the last honest one when the closer nodes lie about holding it.
    boolean pressed = node.storage.store().usedBytes() > node.storage.store().quotaBytes() / 10 * 8;
    for (Map.Entry<Id, PastNode.IndexEntry> e : node.index.entrySet()) {
      if (e.getValue().expiry() <= now
          || (pressed && !view.isAmongClosest(self, e.getKey(), node.config.retainWidth()))) {
        drop.add(e.getKey());
      }
    }
    for (Id id : drop) {
      node.index.remove(id);
      node.counters.objectsCollected++;
      node.storage.submit(() -> node.storage.store().delete(id), (ok, failure) -> { });
    }
  }

  private List<Map.Entry<Id, PastNode.IndexEntry>> entriesIn(Id from, Id to, boolean all) {
    NavigableMap<Id, PastNode.IndexEntry> idx = node.index;
    List<Map.Entry<Id, PastNode.IndexEntry>> out = new ArrayList<>();
    if (all) {
      out.addAll(idx.entrySet());
    } else if (from.compareTo(to) < 0) {
      out.addAll(idx.subMap(from, false, to, true).entrySet());
    } else {
      out.addAll(idx.tailMap(from, false).entrySet());
      out.addAll(idx.headMap(to, true).entrySet());
    }
    return out;
  }

  void stop() {
    stopped = true;
    if (periodic != null) {
      periodic.cancel();
    }
    if (pendingSync != null) {
      pendingSync.cancel();
    }
  }
}
