package org.epost.overlay.past;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;

/**
 * Keeps k verified holders of every object near its id, re-replicating only for nodes gone for good
 * (ADR 0080, after Carbonite and Total Recall), and audits what neighbours claim (ADR 0081).
 *
 * <p>Holders, not live replicas: a node that leaves the leaf set stays in this node's <em>extended
 * view</em> until it has been unseen for {@link
 * org.epost.overlay.past.api.PastConfig#absenceTimeoutMillis} (it comes back with its disk), and
 * its last digest still says what it holds. An object this node holds is under-replicated when
 * fewer than k nodes among the retain-width closest to its id in the extended view hold it: this
 * node, plus neighbours whose latest Bloom digest claims it, whose claim was not refuted by an
 * audit and who were not caught lying, plus copies offered moments ago.
 *
 * <p>Pull by digest: a node sends its nearest live neighbours a salted Bloom filter of the (id,
 * version) pairs it holds in the arc where it may be among the retain-width closest. A neighbour
 * records the digest (the holder knowledge above) and offers the requester each object it lacks
 * only when that object is under-replicated and the requester is among the retain-width closest;
 * the requester pulls each offered object once. Extra copies held by returning nodes are never
 * deleted (only under quota pressure).
 *
 * <p>Audits ({@link PossessionAudits}): every maintenance round this node challenges each live
 * neighbour with a fresh nonce over objects both hold and that the neighbour's last two digests
 * claim; the neighbour answers SHA-256(nonce | version | bytes) per object. A wrong proof marks it
 * a liar (its claims and its pulls are ignored); "not held" refutes the claim, and marks it a liar
 * when it had proved possession before or had pulled the object from this node.
 */
final class ReplicaMaintenance {
  private static final int MAX_PULLING = 4096;
  private static final int MAX_OFFERED = 8192;
  private static final long PULL_TIMEOUT_MILLIS = 30_000;
  private final PastNode node;
  private final ReplicaKnowledge knowledge;
  private final PossessionAudits audits;
  private final AvailabilityRepair availability;
  private final HashMap<Id, Long> pulling = new HashMap<>();

  /**
   * Objects offered to a neighbour a moment ago: counted as held by it until its digest shows them.
   */
  private final HashMap<Id, Map<Id, Long>> offered = new HashMap<>();

  private final long startedAt;
  private final long graceMillis;
  private Cancellable periodic;
  private Cancellable pendingSync;
  private boolean stopped;
  private RingView cachedView;
  private long cachedViewAt;

  ReplicaMaintenance(PastNode node, ReplicaKnowledge knowledge) {
    this.node = node;
    this.knowledge = knowledge;
    this.audits = new PossessionAudits(node, knowledge);
    this.availability = new AvailabilityRepair(node, this);
    this.startedAt = node.env.clock().nowMillis();
    knowledge.resume(startedAt);
    // A node that remembers its neighbourhood needs only the digests sent right after it returns;
    // a new one waits for a full round before it trusts its holder counts.
    this.graceMillis =
        knowledge.digests.isEmpty()
            ? node.config.maintenanceMillis() + node.config.syncDelayMillis()
            : 3 * node.config.syncDelayMillis();
  }

  void start() {
    if (stopped || node.stopped()) {
      return;
    }
    long period = node.config.maintenanceMillis();
    periodic =
        node.env
            .scheduler()
            .schedule(
                node.env.random().nextInt((int) Math.min(period, Integer.MAX_VALUE)) + 1,
                this::tick);
    scheduleSync();
    availability.start();
  }

  /**
   * Whether this node has heard the digests that follow its start, so that it can count holders.
   */
  boolean warmedUp() {
    return now() - startedAt >= graceMillis;
  }

  /** Whether a copy stored that long ago may show in the neighbours' digests by now. */
  boolean settled(PastNode.IndexEntry entry, long now) {
    return now - entry.storedAt() >= graceMillis;
  }

  /** How long an offered copy counts as held by its target before its digest must show it. */
  long offerLifetime() {
    return PULL_TIMEOUT_MILLIS + node.config.maintenanceMillis();
  }

  private void tick() {
    if (stopped) {
      return;
    }
    periodic = node.env.scheduler().schedule(node.config.maintenanceMillis(), this::tick);
    if (node.router.isReady()) {
      long now = now();
      knowledge.lastAlive = now;
      for (NodeHandle h : node.router.leafSet()) {
        knowledge.seen(h.id(), now);
      }
      knowledge.expire(now, node.config.absenceTimeoutMillis());
      expireOffers(now);
      audits.expire(now);
      collectGarbage();
      syncRound();
      audits.round();
    }
  }

  private long now() {
    return node.env.clock().nowMillis();
  }

  void onLeafSetChange(NodeHandle handle, boolean joined) {
    if (stopped) {
      return;
    }
    long now = now();
    knowledge.seen(handle.id(), now);
    knowledge.lastAlive = now;
    cachedView = null;
    // No digest round here: a departure is an absence until the timeout says otherwise (the
    // periodic round handles that), and a node that joins or returns sends its own digest when it
    // starts, which is what its neighbours need to count its copies and offer it what is short.
  }

  /**
   * An insert stored a copy here: send the digest after the sync delay (batched), so that the other
   * holders count this copy before this node next goes offline.
   */
  void newObjectStored() {
    scheduleSync();
  }

  private void scheduleSync() {
    if (pendingSync != null || stopped) {
      return;
    }
    pendingSync =
        node.env
            .scheduler()
            .schedule(
                node.config.syncDelayMillis(),
                () -> {
                  pendingSync = null;
                  if (node.router.isReady()) {
                    syncRound();
                  } else {
                    scheduleSync();
                  }
                });
  }

  /**
   * The leaf set plus neighbours absent for less than the absence timeout (cached within one
   * millisecond).
   */
  RingView view() {
    long now = now();
    if (cachedView != null && cachedViewAt == now) {
      return cachedView;
    }
    cachedView = buildView();
    cachedViewAt = now;
    return cachedView;
  }

  private RingView buildView() {
    Id self = node.router.localHandle().id();
    List<NodeHandle> leafSet = node.router.leafSet();
    List<Id> absent = new ArrayList<>();
    long now = now();
    long timeout = node.config.absenceTimeoutMillis();
    for (Map.Entry<Id, Long> e : knowledge.lastSeen.entrySet()) {
      if (now - e.getValue() <= timeout
          && !e.getKey().equals(self)
          && !knowledge.isLiar(e.getKey())) {
        absent.add(e.getKey());
      }
    }
    return RingView.extended(self, leafSet, absent, 2 * node.config.retainWidth());
  }

  /** Sends this node's digest to its nearest live neighbours. */
  void syncRound() {
    RingView view = view();
    if (view.size() < 2) {
      return;
    }
    Id self = node.router.localHandle().id();
    Id[] arc = view.arcAround(node.config.retainWidth());
    Id from = arc == null ? self : arc[0];
    Id to = arc == null ? self : arc[1];
    List<Map.Entry<Id, PastNode.IndexEntry>> held = entriesIn(node, from, to, arc == null);
    BloomFilter filter = BloomFilter.forElements(held.size(), node.env.random().nextLong());
    for (Map.Entry<Id, PastNode.IndexEntry> e : held) {
      filter.add(e.getKey(), e.getValue().version());
    }
    byte[] encoded = PastCodec.encode(new PastMessage.Sync(from, to, filter));
    RingView live = RingView.of(self, node.router.leafSet(), 2 * node.config.retainWidth());
    for (Id neighbour :
        live.neighbours(Math.max(node.config.replicas(), node.config.retainWidth() / 2))) {
      NodeHandle h = handleOf(neighbour);
      if (h != null) {
        node.endpoint().sendDirect(h, encoded);
        node.counters.digestMessagesSent++;
        node.counters.digestBytesSent += encoded.length;
      }
    }
  }

  /** The ids of this node's leaf-set members: the neighbours online now. */
  java.util.Set<Id> onlineNeighbours() {
    java.util.Set<Id> live = new java.util.HashSet<>();
    for (NodeHandle h : node.router.leafSet()) {
      live.add(h.id());
    }
    return live;
  }

  private NodeHandle handleOf(Id id) {
    for (NodeHandle h : node.router.leafSet()) {
      if (h.id().equals(id)) {
        return h;
      }
    }
    return null;
  }

  /**
   * Verified-or-unrefuted holders of {@code id} at {@code version} among the retain-width closest
   * nodes of {@code view}, this node included when it holds that version.
   */
  int holders(Id[] near, Id id, long version) {
    return holders(near, id, version, Integer.MAX_VALUE);
  }

  /**
   * {@link #holders(Id[], Id, long)}, but counting stops at {@code enough}: the answer is exact
   * below it and {@code enough} otherwise (a sync asks only whether k holders exist; counting the
   * rest of the retain width was most of its cost).
   */
  int holders(Id[] near, Id id, long version, int enough) {
    return holders(near, id, version, enough, node.index.get(id));
  }

  /** The same, given this node's index entry of {@code id} ({@code mine}, null if none). */
  private int holders(Id[] near, Id id, long version, int enough, PastNode.IndexEntry mine) {
    Id self = node.router.localHandle().id();
    int count = mine != null && mine.version() == version ? 1 : 0;
    long now = now();
    Map<Id, Long> offers = offered.get(id);
    for (Id n : near) {
      if (count >= enough) {
        return enough;
      }
      if (!n.equals(self) && counts(n, id, version, offers, now)) {
        count++;
      }
    }
    return Math.min(count, enough);
  }

  /**
   * Whether neighbour {@code n} counts as a holder of {@code id} at {@code version}: it was offered
   * a copy moments ago, or its latest digest claims the object and no audit refuted the claim. A
   * node caught lying never counts.
   */
  private boolean counts(Id n, Id id, long version, Map<Id, Long> offers, long now) {
    if (knowledge.isLiar(n)) {
      return false;
    }
    Long until = offers == null ? null : offers.get(n);
    if (until != null && until > now) {
      return true;
    }
    ReplicaKnowledge.Digest d = knowledge.digests.get(n);
    return d != null && d.claims(id, version) && !knowledge.isRefuted(n, id);
  }

  /**
   * One holder repairs each object, so that holders acting on the same shortage do not each add a
   * copy: the live holder closest to the id, as far as this node knows. Another node that knows
   * less may also act; the copy it adds is extra, never harmful.
   */
  boolean designatedRepairer(Id[] near, Id id, long version, java.util.Set<Id> live) {
    Id self = node.router.localHandle().id();
    for (Id n : near) {
      if (n.equals(self)) {
        return true; // no closer live holder
      }
      if (live.contains(n) && counts(n, id, version, null, 0)) {
        return false; // a closer online holder repairs
      }
    }
    return true;
  }

  /** A neighbour's digest: remember it, and offer what it lacks of objects short of k holders. */
  void onSync(NodeHandle requester, PastMessage.Sync sync) {
    long now = now();
    Id r = requester.id();
    knowledge.seen(r, now);
    ReplicaKnowledge.Digest old = knowledge.digests.get(r);
    if (knowledge.isLiar(r)) {
      return;
    }
    knowledge.digest(
        r,
        new ReplicaKnowledge.Digest(
            sync.from(), sync.to(), sync.filter(), old == null ? null : old.filter(), now));
    // Until this node has heard a round of digests it cannot count holders: offer nothing yet.
    if (!warmedUp()) {
      return;
    }
    boolean all = sync.from().equals(sync.to());
    List<Map.Entry<Id, PastNode.IndexEntry>> candidates =
        entriesIn(node, sync.from(), sync.to(), all);
    if (candidates.isEmpty()) {
      return;
    }
    RingView view = null;
    java.util.Set<Id> live = null;
    List<Id> ids = new ArrayList<>();
    List<Long> versions = new ArrayList<>();
    int retain = node.config.retainWidth();
    long wall = node.wallNow();
    for (Map.Entry<Id, PastNode.IndexEntry> e : candidates) {
      Id id = e.getKey();
      PastNode.IndexEntry entry = e.getValue();
      if (!node.leaseOutlastsSkew(entry.expiry(), wall)
          || !settled(entry, now)
          || sync.filter().mightContain(id, entry.version())) {
        continue;
      }
      if (view == null) {
        view = view().with(r);
      }
      Id[] near = view.closest(id, retain);
      if (!contains(near, r)) {
        continue;
      }
      int k = node.config.replicas();
      if (holders(near, id, entry.version(), k, entry) >= k) {
        continue;
      }
      if (live == null) {
        live = onlineNeighbours();
      }
      if (!designatedRepairer(near, id, entry.version(), live)) {
        continue;
      }
      ids.add(id);
      versions.add(entry.version());
      offered(id, r, now + offerLifetime());
      if (ids.size() >= Math.min(node.config.maxPushesPerSync(), PastCodec.MAX_IDS)) {
        break;
      }
    }
    sendOffer(requester, ids, versions);
  }

  private static boolean contains(Id[] a, Id x) {
    for (Id i : a) {
      if (i.equals(x)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Holders of {@code id} at {@code version} that are online now (in the leaf set) among {@code
   * near}, this node included (it calls this for objects it holds): ADR 0083's reachable count.
   */
  int onlineHolders(Id[] near, Id id, long version, java.util.Set<Id> live) {
    Id self = node.router.localHandle().id();
    int count = 1;
    long now = now();
    Map<Id, Long> offers = offered.get(id);
    for (Id n : near) {
      if (!n.equals(self) && live.contains(n) && counts(n, id, version, offers, now)) {
        count++;
      }
    }
    return count;
  }

  /**
   * The online node of {@code near} closest to the id that neither holds it (as far as this node
   * knows) nor was just offered it.
   */
  Id closestOnlineNonHolder(Id[] near, Id id, long version, java.util.Set<Id> live) {
    Id self = node.router.localHandle().id();
    long now = now();
    Map<Id, Long> offers = offered.get(id);
    for (Id n : near) {
      if (!n.equals(self)
          && live.contains(n)
          && !knowledge.isLiar(n)
          && !counts(n, id, version, offers, now)) {
        return n;
      }
    }
    return null;
  }

  /** Offers {@code ids} to the live neighbour {@code to} (it pulls those it lacks). */
  void sendOffer(Id to, List<Id> ids, List<Long> versions) {
    NodeHandle h = handleOf(to);
    if (h != null) {
      sendOffer(h, ids, versions);
    }
  }

  /**
   * Offers {@code ids} at {@code versions} to {@code h}, in messages of at most {@link
   * PastCodec#MAX_IDS}.
   */
  private void sendOffer(NodeHandle h, List<Id> ids, List<Long> versions) {
    for (int from = 0; from < ids.size(); from += PastCodec.MAX_IDS) {
      int end = Math.min(ids.size(), from + PastCodec.MAX_IDS);
      long[] v = versions.subList(from, end).stream().mapToLong(Long::longValue).toArray();
      byte[] encoded =
          PastCodec.encode(new PastMessage.Offer(new ArrayList<>(ids.subList(from, end)), v));
      node.endpoint().sendDirect(h, encoded);
      node.counters.digestMessagesSent++;
      node.counters.digestBytesSent += encoded.length;
    }
  }

  void offered(Id id, Id to, long until) {
    if (offered.size() >= MAX_OFFERED && !offered.containsKey(id)) {
      expireOffers(now());
      if (offered.size() >= MAX_OFFERED) {
        return;
      }
    }
    offered.computeIfAbsent(id, k -> new HashMap<>(4)).put(to, until);
  }

  private void expireOffers(long now) {
    Iterator<Map<Id, Long>> it = offered.values().iterator();
    while (it.hasNext()) {
      Map<Id, Long> m = it.next();
      m.values().removeIf(t -> t <= now);
      if (m.isEmpty()) {
        it.remove();
      }
    }
  }

  /**
   * Several neighbours may offer the same object: pull each missing one from the first offer only.
   */
  void onOffer(NodeHandle holder, PastMessage.Offer offer) {
    long now = now();
    if (knowledge.isLiar(holder.id())) {
      return;
    }
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
    if (knowledge.isLiar(requester.id())) {
      return;
    }
    for (Id id : pull.ids()) {
      if (node.index.containsKey(id)) {
        push(requester, id);
      }
    }
  }

  private void push(NodeHandle to, Id id) {
    node.storage.submit(
        () -> node.storage.store().get(id),
        (object, failure) -> {
          if (failure != null || object == null || stopped) {
            if (failure == null && object == null) {
              node.index.remove(id);
            }
            return;
          }
          knowledge.gave(to.id(), id);
          byte[] encoded = PastCodec.encode(new PastMessage.Store(0, 0, object));
          node.endpoint().sendDirect(to, encoded);
          node.counters.repairObjectsSent++;
          node.counters.repairBytesSent += object.size();
          if (availability.tookOffer(id, to.id())) {
            node.counters.availabilityRepairObjectsSent++;
            node.counters.availabilityRepairBytesSent += object.size();
          }
        });
  }

  /** A neighbour sent a copy or a proof that failed verification: ignore its claims from now on. */
  void caughtLying(NodeHandle from) {
    knowledge.markLiar(from.id(), now());
  }

  // ---- retention ----

  /** Whether this node should keep (or accept as repair) a copy of {@code id}. */
  boolean retains(Id id) {
    return contains(view().closest(id, node.config.retainWidth()), node.router.localHandle().id());
  }

  private void collectGarbage() {
    long wall = node.wallNow();
    List<Id> drop = new ArrayList<>();
    // Copies outside the retain width are dropped only under space pressure: such a copy may be
    // the last honest one when the closer nodes lie about holding it.
    boolean pressed = node.storage.store().usedBytes() > node.storage.store().quotaBytes() / 10 * 8;
    RingView view = pressed ? view() : null;
    Id self = node.router.localHandle().id();
    for (Map.Entry<Id, PastNode.IndexEntry> e : node.index.entrySet()) {
      if (!node.leaseRunning(e.getValue().expiry(), wall)
          || (pressed && !contains(view.closest(e.getKey(), node.config.retainWidth()), self))) {
        drop.add(e.getKey());
      }
    }
    for (Id id : drop) {
      node.index.remove(id);
      node.counters.objectsCollected++;
      node.storage.submit(() -> node.storage.store().delete(id), (ok, failure) -> {});
    }
  }

  /** This node's index entries in the arc (from, to], or all of them. */
  static List<Map.Entry<Id, PastNode.IndexEntry>> entriesIn(
      PastNode node, Id from, Id to, boolean all) {
    NavigableMap<Id, PastNode.IndexEntry> idx = node.index;
    List<Map.Entry<Id, PastNode.IndexEntry>> out = new ArrayList<>();
    // Iterate rather than addAll: a sub-map's size() walks the whole range once more.
    if (all) {
      for (Map.Entry<Id, PastNode.IndexEntry> e : idx.entrySet()) {
        out.add(e);
      }
    } else if (from.compareTo(to) < 0) {
      for (Map.Entry<Id, PastNode.IndexEntry> e : idx.subMap(from, false, to, true).entrySet()) {
        out.add(e);
      }
    } else {
      for (Map.Entry<Id, PastNode.IndexEntry> e : idx.tailMap(from, false).entrySet()) {
        out.add(e);
      }
      for (Map.Entry<Id, PastNode.IndexEntry> e : idx.headMap(to, true).entrySet()) {
        out.add(e);
      }
    }
    return out;
  }

  void onAudit(NodeHandle auditor, PastMessage.Audit audit) {
    audits.onAudit(auditor, audit);
  }

  void onAuditReply(NodeHandle holder, PastMessage.AuditReply reply) {
    audits.onAuditReply(holder, reply);
  }

  void stop() {
    stopped = true;
    audits.stop();
    availability.stop();
    if (periodic != null) {
      periodic.cancel();
    }
    if (pendingSync != null) {
      pendingSync.cancel();
    }
  }
}
