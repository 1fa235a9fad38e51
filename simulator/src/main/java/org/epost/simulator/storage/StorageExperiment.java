package org.epost.simulator.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.ReplicaKnowledge;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.api.PastStatistics;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.simulator.churn.ByzantineStore;
import org.epost.simulator.churn.Churn;
import org.epost.simulator.churn.ObservedRouter;

/**
 * The storage experiment: a ring of PAST nodes under session churn (offline nodes keep their
 * store), permanent departures replaced by new nodes, an optional correlated failure and a fraction
 * of byzantine storers, while readers look up random acknowledged objects. Single-threaded over one
 * {@link Simulation}; every node runs the real Pastry and PAST code.
 */
public final class StorageExperiment {
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;
  private static final long LOOKUP_TIMEOUT = 30_000;
  private static final long PARTIAL_EVERY_HOURS = 6;

  private final StorageConfig cfg;
  private final Consumer<String> progress;
  private final Simulation sim;
  private final SplittableRandom random;
  private final PastConfig pastConfig;
  private final List<Member> members = new ArrayList<>();
  private final Churn<Member> churn;
  private final Map<Id, Integer> objectIndex = new HashMap<>();
  private Id[] ids;
  private boolean[] acked;
  private long[] mutableSeq; // latest acknowledged sequence per mutable object, by index
  private long[] mutableTried; // latest sequence the owner signed, acknowledged or not
  private SigningKeyPair[] owners;
  private long startMillis;
  private long endMillis;
  // measurements
  private long lookups;
  private long lookupsOk;
  private long lookupsFailed;
  private long wrongReturned;
  private long abortedByReader;
  private long failedNoLiveCopy;
  private long failedCopyAmongClosest;
  private long failedCopyFurther;
  // Failed lookups by what PAST said (ADR 0093): not found, unavailable, or no answer in time.
  private long failedNotFound;
  private long failedUnavailable;
  private long failedDriverTimeout;
  private long staleReturned;
  private long insertFailures;
  private long retiredRepairBytes;
  private long retiredAvailabilityRepairBytes;
  private long retiredDigestBytes;
  private long retiredAuditBytes;
  private long retiredAuditFailures;
  private long retiredDetected;
  private long corruptArrivedAtHonest;
  private final Consumer<StorageSummary> partial;
  private long wallStart;
  private final List<long[]> hourly = new ArrayList<>();
  private long hourLookups;
  private long hourFailed;

  private final class Member {
    final Id id;
    final ObjectStore store;
    final boolean byzantine;
    final ReplicaKnowledge knowledge = new ReplicaKnowledge();
    SimulatedNode node;
    Past past;
    boolean departed;

    Member(Id id, ObjectStore store, boolean byzantine) {
      this.id = id;
      this.store = store;
      this.byzantine = byzantine;
    }
  }

  public StorageExperiment(StorageConfig cfg, Consumer<String> progress) {
    this(cfg, progress, s -> {});
  }

  /**
   * @param partial receives a summary of the run so far every {@code PARTIAL_EVERY_HOURS} simulated
   *     hours (marked {@code "complete": false}), so a long run that is stopped still reports
   */
  public StorageExperiment(
      StorageConfig cfg, Consumer<String> progress, Consumer<StorageSummary> partial) {
    this.cfg = cfg;
    this.progress = progress;
    this.partial = partial;
    PastryConfig pastry =
        new PastryConfig(
            24,
            cfg.heartbeat().toMillis(),
            cfg.heartbeat().toMillis() * 5 / 2,
            500,
            cfg.routingMaintenance().toMillis(),
            5_000);
    this.sim = Simulation.builder().seed(cfg.seed()).pastryConfig(pastry).build();
    this.random = new SplittableRandom(cfg.seed() ^ 0x5EED5L);
    long maint = cfg.maintenance().toMillis();
    this.pastConfig =
        PastConfig.defaults()
            .withReplicas(cfg.replicas())
            .withMaintenance(maint, 20_000)
            .withAbsenceTimeout(cfg.absenceTimeout().toMillis())
            .withAvailabilityRepair(cfg.minReachable(), cfg.reachableGrace().toMillis());
    this.churn = newChurn();
  }

  /** Runs the whole experiment and returns its figures. */
  public StorageSummary run() {
    wallStart = System.nanoTime();
    buildRing();
    insertObjects();
    startMillis = sim.nowMillis();
    endMillis = startMillis + cfg.days().toMillis();
    churn.start(endMillis);
    scheduleLookup();
    scheduleMutableUpdates();
    for (long t = HOUR; t <= cfg.days().toMillis(); t += HOUR) {
      sim.runUntilMicros((startMillis + t) * 1000);
      sampleHour(t / HOUR);
      progress.accept(
          String.format(
              java.util.Locale.ROOT,
              "hour %d/%d live=%d lookups=%d failed=%d wrong=%d repair_MB=%.1f events=%d wall_s=%.0f",
              t / HOUR,
              cfg.days().toMillis() / HOUR,
              sim.liveNodes().size(),
              lookups,
              lookupsFailed,
              wrongReturned,
              repairBytes() / 1e6,
              sim.eventsRun(),
              (System.nanoTime() - wallStart) / 1e9));
      if ((t / HOUR) % PARTIAL_EVERY_HOURS == 0 && t < cfg.days().toMillis()) {
        partial.accept(summarize((System.nanoTime() - wallStart) / 1e9, t, false));
      }
    }
    sim.runFor(
        LOOKUP_TIMEOUT + 5_000); // let the last lookups finish (no new ones start after the end)
    return summarize((System.nanoTime() - wallStart) / 1e9, cfg.days().toMillis(), true);
  }

  // ---- ring and objects ----

  private void buildRing() {
    members.add(attach(newMember(sim.createRing().id(), true), sim.liveNodes().get(0)));
    for (int i = 1; i < cfg.nodes(); i++) {
      sim.runFor(20);
      SimulatedNode n = sim.addNode();
      attach(newMember(n.id(), false), n);
    }
    sim.runFor(120_000);
    progress.accept(
        "ring of " + sim.liveNodes().size() + " nodes built at " + sim.nowMillis() / 1000 + " s");
  }

  private Member newMember(Id id, boolean first) {
    boolean byz = !first && random.nextDouble() < cfg.byzantine();
    MemoryObjectStore mem = new MemoryObjectStore(Long.MAX_VALUE / 4);
    ObjectStore store =
        byz ? new ByzantineStore(mem, ByzantineStore.Behaviour.values()[random.nextInt(4)]) : mem;
    Member m = new Member(id, store, byz);
    if (!first) {
      members.add(m);
    }
    return m;
  }

  private Member attach(Member m, SimulatedNode node) {
    m.node = node;
    KeyBasedRouter router =
        m.byzantine || cfg.byzantine() == 0
            ? node.overlay() // no liar in the run: nothing for the witness to see
            : new ObservedRouter(node.overlay(), () -> corruptArrivedAtHonest++);
    m.past = PastNodes.create(router, m.store, Runnable::run, pastConfig, m.knowledge);
    return m;
  }

  private Member randomHonestReady() {
    for (int i = 0; i < 64; i++) {
      Member m = members.get(random.nextInt(members.size()));
      if (!m.byzantine && m.node != null && m.node.isReady()) {
        return m;
      }
    }
    return null;
  }

  private byte[] content(int index) {
    byte[] b = new byte[cfg.objectSize()];
    new SplittableRandom(cfg.seed() * 31 + index).nextBytes(b);
    return b;
  }

  /** A lease that outlasts the run by 30 days: a wall time, as PAST expiries are (ADR 0092). */
  private long expiry() {
    return sim.wallMillis() + cfg.days().toMillis() + 30 * DAY;
  }

  private void insertObjects() {
    int n = cfg.objects();
    ids = new Id[n];
    acked = new boolean[n];
    mutableSeq = new long[cfg.mutableObjects()];
    mutableTried = new long[cfg.mutableObjects()];
    Arrays.fill(mutableTried, 1);
    owners = new SigningKeyPair[cfg.mutableObjects()];
    int[] pending = {0};
    for (int i = 0; i < n; i++) {
      PastObject o = objectVersion(i, 1);
      ids[i] = o.id();
      objectIndex.put(o.id(), i);
      int index = i;
      sim.schedule(i * 50L, () -> insert(index, objectVersion(index, 1), 1, pending));
      pending[0]++;
    }
    long deadline = sim.nowMillis() + n * 50L + 60_000;
    while (pending[0] > 0 && sim.nowMillis() < deadline) {
      sim.runFor(10_000);
    }
    int ok = 0;
    for (boolean a : acked) {
      ok += a ? 1 : 0;
    }
    progress.accept(
        ok
            + " of "
            + n
            + " objects acknowledged by a majority at "
            + sim.nowMillis() / 1000
            + " s");
  }

  private PastObject objectVersion(int index, long sequence) {
    if (index < cfg.mutableObjects()) {
      if (owners[index] == null) {
        byte[] seed = new byte[32];
        new SplittableRandom(cfg.seed() ^ (index * 0x9E37L)).nextBytes(seed);
        try {
          owners[index] = SigningKeyPair.fromSeed(seed);
        } catch (CryptoFormatException e) {
          throw new IllegalStateException(e);
        }
      }
      byte[] data = Arrays.copyOf(content(index), Math.max(1, cfg.objectSize() - 200));
      data[0] = (byte) sequence;
      return PastObject.mutable(
          owners[index],
          ("obj-" + index).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          sequence,
          data,
          expiry());
    }
    return PastObject.immutable(content(index), expiry());
  }

  private void insert(int index, PastObject o, long sequence, int[] pending) {
    Member m = randomHonestReady();
    if (m == null) {
      pending[0]--;
      return;
    }
    m.past
        .insert(o)
        .whenComplete(
            (stored, failure) -> {
              pending[0]--;
              if (failure == null) {
                acked[index] = true;
                if (index < mutableSeq.length) {
                  mutableSeq[index] = Math.max(mutableSeq[index], sequence);
                }
              } else {
                insertFailures++;
              }
            });
  }

  // ---- churn (the shared model, org.epost.simulator.churn.Churn) ----

  private long exp(double meanMillis) {
    return churn.exp(meanMillis);
  }

  private Churn<Member> newChurn() {
    return new Churn<>(
        sim,
        random,
        new Churn.Model(
            cfg.sessionMean(),
            cfg.offlineMean(),
            cfg.departuresPerDay(),
            cfg.nodes(),
            cfg.correlatedFraction(),
            cfg.correlatedAt()),
        new Churn.Ring<>() {
          @Override
          public List<Member> members() {
            return members;
          }

          @Override
          public boolean isOnline(Member m) {
            return m.node != null;
          }

          @Override
          public boolean hasDeparted(Member m) {
            return m.departed;
          }

          @Override
          public void takeOffline(Member m, boolean crash) {
            retire(m);
          }

          @Override
          public void bringBack(Member m, List<Address> boot) {
            attach(m, sim.addNode(m.id, boot));
          }

          @Override
          public Member replace(Member m) {
            if (m.node != null) {
              retire(m);
            }
            m.departed = true;
            members.remove(m);
            SimulatedNode n = sim.addNode();
            Member fresh = newMember(n.id(), false);
            attach(fresh, n);
            return fresh;
          }
        },
        progress);
  }

  private void retire(Member m) {
    PastStatistics s = m.past.statistics();
    retiredRepairBytes += s.repairBytesSent();
    retiredAvailabilityRepairBytes += s.availabilityRepairBytesSent();
    retiredDigestBytes += s.digestBytesSent();
    retiredAuditBytes += s.auditBytesSent();
    retiredAuditFailures += m.byzantine ? 0 : s.auditFailures();
    if (!m.byzantine) {
      retiredDetected += s.corruptionsDetected();
    }
    Past session = m.past;
    m.past = null; // before stop(): the lookups it abandons see their reader gone
    session.stop();
    sim.fail(m.node);
    m.node = null;
  }

  private void scheduleMutableUpdates() {
    for (int i = 0; i < cfg.mutableObjects(); i++) {
      int index = i;
      sim.schedule(
          exp(DAY),
          new Runnable() {
            @Override
            public void run() {
              if (sim.nowMillis() >= endMillis) {
                return;
              }
              // A real owner never signs two versions under one sequence: it continues after the
              // last
              // one it tried, acknowledged or not.
              long next = Math.max(mutableSeq[index], mutableTried[index]) + 1;
              mutableTried[index] = next;
              insert(index, objectVersion(index, next), next, new int[] {1});
              sim.schedule(exp(DAY), this);
            }
          });
    }
  }

  // ---- lookups ----

  private void scheduleLookup() {
    sim.schedule(
        exp(1000 / cfg.lookupsPerSecond()),
        () -> {
          if (sim.nowMillis() >= endMillis) {
            return;
          }
          lookupOne();
          scheduleLookup();
        });
  }

  private void lookupOne() {
    Member m = randomHonestReady();
    int index = random.nextInt(ids.length);
    if (m == null || !acked[index]) {
      return;
    }
    long expectedSeq = index < mutableSeq.length ? mutableSeq[index] : 0;
    lookups++;
    hourLookups++;
    Past reader = m.past;
    CompletableFuture<PastObject> f = reader.lookup(ids[index]).toCompletableFuture();
    boolean[] counted = {false};
    sim.schedule(
        LOOKUP_TIMEOUT,
        () -> {
          if (!counted[0]) {
            counted[0] = true;
            failed(m, reader, index, null);
          }
        });
    f.whenComplete(
        (o, failure) -> {
          if (counted[0]) {
            return;
          }
          counted[0] = true;
          if (failure != null) {
            failed(m, reader, index, failure);
          } else if (!matches(index, o)) {
            wrongReturned++;
            lookupsFailed++;
            hourFailed++;
          } else if (o.kind() == ObjectKind.MUTABLE && o.sequence() < expectedSeq) {
            staleReturned++;
            lookupsOk++;
          } else {
            lookupsOk++;
          }
        });
  }

  /**
   * A lookup failed. When its reader went offline (or left) meanwhile, PAST stopped and abandoned
   * it: that is the reader's absence, not the storage's, and it is counted apart.
   */
  private void failed(Member reader, Past session, int index, Throwable failure) {
    if (reader.past != session) {
      abortedByReader++;
      hourLookups--;
      return;
    }
    lookupsFailed++;
    hourFailed++;
    Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
    if (cause == null) {
      failedDriverTimeout++;
    } else if (cause instanceof PastException.ObjectNotFoundException) {
      failedNotFound++;
    } else {
      failedUnavailable++;
    }
    classifyFailure(index);
  }

  /**
   * Why a lookup failed, by the experiment's oracle at the moment it failed: no honest online node
   * held a copy; one did, among the 10 live nodes closest to the id (the candidates a root hands
   * out); or one did, but only further out.
   */
  private void classifyFailure(int index) {
    Id id = ids[index];
    List<SimulatedNode> live = new ArrayList<>(sim.liveNodes());
    live.sort((a, b) -> a.id().equals(b.id()) ? 0 : id.isCloser(a.id(), b.id()) ? -1 : 1);
    Map<Id, Member> byId = new HashMap<>();
    for (Member m : members) {
      if (m.node != null && !m.byzantine) {
        byId.put(m.id, m);
      }
    }
    int rank = -1;
    for (int i = 0; i < live.size(); i++) {
      Member m = byId.get(live.get(i).id());
      if (m != null && m.store.get(id) != null) {
        rank = i;
        break;
      }
    }
    if (rank < 0) {
      failedNoLiveCopy++;
    } else if (rank < 10) {
      failedCopyAmongClosest++;
    } else {
      failedCopyFurther++;
    }
  }

  /** The driver's own check, independent of PAST's verification: is this the object we stored? */
  private boolean matches(int index, PastObject o) {
    if (!o.id().equals(ids[index])) {
      return false;
    }
    if (index >= cfg.mutableObjects()) {
      return Arrays.equals(o.bytes(), content(index));
    }
    PastObject v = o.verify();
    return v.data()[0] == (byte) v.sequence();
  }

  // ---- measurement ----

  /**
   * Objects with at least one valid copy on an honest store: {live, anywhere (offline disks
   * included)}.
   */
  private int[] replicaCounts(int[] liveCounts) {
    int[] any = new int[ids.length];
    for (Member m : members) {
      if (m.byzantine) {
        continue;
      }
      for (ObjectStore.Entry e : m.store.entries()) {
        Integer i = objectIndex.get(e.id());
        if (i != null) {
          any[i]++;
          if (m.node != null && liveCounts != null) {
            liveCounts[i]++;
          }
        }
      }
    }
    return any;
  }

  private long repairBytes() {
    return retiredRepairBytes + sumOverLiveStores(PastStatistics::repairBytesSent);
  }

  private long availabilityRepairBytes() {
    return retiredAvailabilityRepairBytes
        + sumOverLiveStores(PastStatistics::availabilityRepairBytesSent);
  }

  /**
   * {@code counter} summed over the members whose PAST node runs now (departed ones are in the
   * retired sums).
   */
  private long sumOverLiveStores(java.util.function.ToLongFunction<PastStatistics> counter) {
    long sum = 0;
    for (Member m : members) {
      if (m.past != null) {
        sum += counter.applyAsLong(m.past.statistics());
      }
    }
    return sum;
  }

  private void sampleHour(long hour) {
    int[] live = new int[ids.length];
    replicaCounts(live);
    int unavailable = 0;
    long sumLive = 0;
    for (int i = 0; i < ids.length; i++) {
      if (acked[i]) {
        unavailable += live[i] == 0 ? 1 : 0;
        sumLive += live[i];
      }
    }
    hourly.add(
        new long[] {
          hour,
          sim.liveNodes().size(),
          hourLookups,
          hourFailed,
          repairBytes(),
          unavailable,
          sumLive * 1000 / Math.max(1, ackedCount()),
          availabilityRepairBytes()
        });
    hourLookups = 0;
    hourFailed = 0;
  }

  private int ackedCount() {
    int n = 0;
    for (boolean a : acked) {
      n += a ? 1 : 0;
    }
    return n;
  }

  private StorageSummary summarize(double wallSeconds, long simulatedMillis, boolean complete) {
    int[] live = new int[ids.length];
    int[] any = replicaCounts(live);
    int lost = 0;
    int unavailableAtEnd = 0;
    int invalidHonestCopies = 0;
    for (int i = 0; i < ids.length; i++) {
      if (acked[i]) {
        lost += any[i] == 0 ? 1 : 0;
        unavailableAtEnd += live[i] == 0 ? 1 : 0;
      }
    }
    long detected = retiredDetected;
    long digestBytes = retiredDigestBytes;
    long auditBytes = retiredAuditBytes;
    long auditFailures = retiredAuditFailures;
    long handedOut = 0;
    long staleServed = 0;
    List<Long> used = new ArrayList<>();
    for (Member m : members) {
      if (m.past != null) {
        PastStatistics st = m.past.statistics();
        detected += m.byzantine ? 0 : st.corruptionsDetected();
        digestBytes += st.digestBytesSent();
        auditBytes += st.auditBytesSent();
        auditFailures += m.byzantine ? 0 : st.auditFailures();
      }
      if (m.store instanceof ByzantineStore b) {
        handedOut += b.corruptServed();
        staleServed += b.staleServed();
      } else {
        for (ObjectStore.Entry e : m.store.entries()) {
          PastObject o = m.store.get(e.id());
          if (o != null && !o.isValid()) {
            invalidHonestCopies++;
          }
        }
        if (m.node != null) {
          used.add(m.store.usedBytes());
        }
      }
    }
    double mean = used.stream().mapToLong(Long::longValue).average().orElse(0);
    long max = used.stream().mapToLong(Long::longValue).max().orElse(0);
    double seconds = Math.max(1, simulatedMillis) / 1000.0;
    double repairPerNode = repairBytes() / (double) cfg.nodes() / seconds;
    double availabilityPerNode = availabilityRepairBytes() / (double) cfg.nodes() / seconds;
    double replicasPerNode = (double) cfg.replicas() * ackedCount() / cfg.nodes();
    double ideal = churn.departures() * replicasPerNode * cfg.objectSize() / cfg.nodes() / seconds;
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("experiment", "storage");
    f.put("nodes", cfg.nodes());
    f.put("seed", cfg.seed());
    f.put("objects", cfg.objects());
    f.put("objects_acknowledged", ackedCount());
    f.put("mutable_objects", cfg.mutableObjects());
    f.put("object_size", cfg.objectSize());
    f.put("replicas", cfg.replicas());
    f.put("session_mean_seconds", cfg.sessionMean().toMillis() / 1000.0);
    f.put("offline_mean_seconds", cfg.offlineMean().toMillis() / 1000.0);
    f.put("departures_per_day", cfg.departuresPerDay());
    f.put("duration_seconds", cfg.days().toMillis() / 1000.0);
    f.put("correlated_failure_fraction", cfg.correlatedFraction());
    f.put("correlated_failure_at_seconds", cfg.correlatedAt().toMillis() / 1000.0);
    f.put("byzantine", cfg.byzantine());
    f.put("lookups_per_second", cfg.lookupsPerSecond());
    f.put("absence_timeout_seconds", cfg.absenceTimeout().toMillis() / 1000.0);
    f.put("min_reachable", cfg.minReachable());
    f.put("reachable_grace_seconds", cfg.reachableGrace().toMillis() / 1000.0);
    f.put("complete", complete);
    f.put("measured_seconds", simulatedMillis / 1000.0);
    f.put("objects_lost", lost);
    f.put("objects_without_live_replica_at_end", unavailableAtEnd);
    f.put("lookups", lookups);
    f.put("lookups_failed", lookupsFailed);
    // Lookups whose reader went offline before they completed are not storage failures: they are
    // left out of lookup_availability and counted in lookups_abandoned_reader_offline; the figure
    // with them counted as failures is lookup_availability_counting_abandoned.
    long judged = lookups - abortedByReader;
    f.put("lookup_availability", judged == 0 ? Double.NaN : lookupsOk / (double) judged);
    f.put(
        "lookup_availability_counting_abandoned",
        lookups == 0 ? Double.NaN : lookupsOk / (double) lookups);
    f.put("lookups_abandoned_reader_offline", abortedByReader);
    // Failed lookups by the oracle's view when they failed (wrong objects returned are not
    // included).
    f.put("lookups_failed_no_live_copy", failedNoLiveCopy);
    f.put("lookups_failed_live_copy_among_10_closest", failedCopyAmongClosest);
    f.put("lookups_failed_live_copy_further_out", failedCopyFurther);
    // The same failures by what PAST reported: "not found" (a quorum of the replica set answered,
    // none holds a valid copy), "unavailable" (too few answered, or the reader could not ask), or
    // nothing before the driver's own timeout.
    f.put("lookups_failed_not_found", failedNotFound);
    f.put("lookups_failed_unavailable", failedUnavailable);
    f.put("lookups_failed_driver_timeout", failedDriverTimeout);
    // Served = corrupted copies that reached an honest node's PAST, seen by the experiment's own
    // check outside PAST (ObservedRouter); detected = PAST's verification failures on honest nodes.
    f.put("corruptions_served", corruptArrivedAtHonest);
    f.put("corruptions_detected", detected);
    f.put("corrupt_copies_read_from_byzantine_stores", handedOut);
    f.put("stale_versions_served_by_byzantine_stores", staleServed);
    f.put("audit_failures_seen_by_honest_nodes", auditFailures);
    f.put("corruptions_returned", wrongReturned);
    f.put("stale_versions_returned", staleReturned);
    f.put("invalid_copies_on_honest_stores", invalidHonestCopies);
    f.put("repair_bytes_per_node_per_s", repairPerNode);
    f.put("ideal_repair_bytes_per_node_per_s", ideal);
    f.put("repair_over_ideal", ideal == 0 ? Double.NaN : repairPerNode / ideal);
    // The two parts of repair_bytes_per_node_per_s: copies replacing holders presumed gone for good
    // (ADR 0080) and copies added because too few holders were online (ADR 0083).
    f.put("permanent_repair_bytes_per_node_per_s", repairPerNode - availabilityPerNode);
    f.put("availability_repair_bytes_per_node_per_s", availabilityPerNode);
    f.put(
        "permanent_repair_over_ideal",
        ideal == 0 ? Double.NaN : (repairPerNode - availabilityPerNode) / ideal);
    f.put("availability_repair_over_ideal", ideal == 0 ? Double.NaN : availabilityPerNode / ideal);
    f.put("digest_bytes_per_node_per_s", digestBytes / (double) cfg.nodes() / seconds);
    f.put("audit_bytes_per_node_per_s", auditBytes / (double) cfg.nodes() / seconds);
    f.put("permanent_departures", churn.departures());
    f.put("insert_failures", insertFailures);
    f.put("storage_max_over_mean", mean == 0 ? Double.NaN : max / mean);
    f.put("live_nodes_end", sim.liveNodes().size());
    f.put("sim_seconds", sim.nowMillis() / 1000.0);
    f.put("events", sim.eventsRun());
    f.put("past_messages", sim.traffic().applicationMessages(PastNodes.APPLICATION_ID));
    f.put("past_bytes", sim.traffic().applicationBytes(PastNodes.APPLICATION_ID));
    f.put("overlay_messages_by_type", sim.traffic().messagesByType());
    f.put("wall_seconds", wallSeconds);
    return new StorageSummary(f, hourly);
  }
}
