package org.epost.simulator.routing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import org.epost.simulator.api.MinuteSample;
import org.epost.simulator.api.ProgressListener;
import org.epost.simulator.api.RingListener;
import org.epost.simulator.api.RoutingExperimentConfig;
import org.epost.simulator.api.RoutingSummary;
import org.epost.simulator.api.SimulatedRing;
import org.epost.simulator.api.TrafficTotals;

/**
 * The routing experiment: build a ring of {@code nodes} nodes with staggered joins, let it settle,
 * then issue lookups from random members to random keys for {@code duration} while churn (if any)
 * fails random nodes abruptly and replaces each with a fresh one. See ADR 0050 and 0051.
 *
 * <p>Experiment actions (joins, failures, lookups, minute ticks) are kept in a queue of their own
 * in virtual time; the loop runs the ring's engine up to the next action's time, then performs it.
 * The experiment's random choices come from three streams split from the seed (ids, churn,
 * workload), so the churn schedule does not change when the workload does.
 *
 * <p>Threading: one thread; {@link #run()} may be called once.
 */
public final class RoutingExperiment implements RingListener {

  private static final long SECOND = 1_000_000L;
  private static final long MINUTE = 60 * SECOND;

  /** How long the build waits for stragglers after the last join started. */
  private static final long BUILD_GRACE = 2 * MINUTE;

  /** A joining node gets this many random members to try in turn, in case one dies meanwhile. */
  private static final int BOOTSTRAPS = 3;

  private enum Kind {
    START_NODE,
    FAIL_NODE,
    LOOKUP,
    MINUTE_TICK,
    PROGRESS
  }

  private record Action(long at, long seq, Kind kind, BigInteger node)
      implements Comparable<Action> {
    @Override
    public int compareTo(Action o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final SimulatedRing ring;
  private final RoutingExperimentConfig config;
  private final ProgressListener progress;
  private final LongSupplier liveHeapBytes;
  private final long heapBaselineBytes;
  private final RingMembers members = new RingMembers();
  private final Set<BigInteger> started = new HashSet<>();
  private final SplittableRandom idRandom;
  private final SplittableRandom workloadRandom;
  private final ChurnModel churn;
  private final PriorityQueue<Action> actions = new PriorityQueue<>();
  private final List<Long> liveSamples = new ArrayList<>();
  private long actionSeq;
  private long nextLookupId;
  private long joinsStarted;
  private long failures;
  private BigInteger firstNode;
  private String phase = "build";
  private long estimatedEndMicros;
  private LookupTracker tracker;
  private TrafficTotals minuteStartTraffic;

  /**
   * @param liveHeapBytes measures live heap after a full collection; called once at the end
   * @param heapBaselineBytes live heap measured before the ring was created
   */
  public RoutingExperiment(
      SimulatedRing ring,
      RoutingExperimentConfig config,
      ProgressListener progress,
      LongSupplier liveHeapBytes,
      long heapBaselineBytes) {
    this.ring = ring;
    this.config = config;
    this.progress = progress;
    this.liveHeapBytes = liveHeapBytes;
    this.heapBaselineBytes = heapBaselineBytes;
    SplittableRandom root = new SplittableRandom(config.seed());
    this.idRandom = root.split();
    this.churn = new ChurnModel(config.sessionMean(), root.split());
    this.workloadRandom = root.split();
    ring.setListener(this);
  }

  /** Runs the whole experiment and returns its summary. */
  public RoutingSummary run() {
    long wallStart = System.nanoTime();
    long cpuStart = threadCpuNanos();
    long joinInterval = config.joinInterval().toNanos() / 1000;
    long settle = config.settle().toNanos() / 1000;
    long duration = config.duration().toNanos() / 1000;
    long timeout = config.lookupTimeout().toNanos() / 1000;
    long buildPlanned = joinInterval * (config.nodes() - 1);
    estimatedEndMicros = ring.nowMicros() + buildPlanned + settle + duration + timeout;

    // Phase 1: ring build.
    long t0 = ring.nowMicros();
    for (int i = 0; i < config.nodes(); i++) {
      schedule(t0 + i * joinInterval, Kind.START_NODE, null);
    }
    long progressStep = SECOND;
    schedule(t0 + progressStep, Kind.PROGRESS, null);
    long lastStart = t0 + buildPlanned;
    runActionsUntil(lastStart);
    long buildDeadline = lastStart + BUILD_GRACE;
    while (members.size() < started.size() && ring.nowMicros() < buildDeadline) {
      runActionsUntil(Math.min(buildDeadline, ring.nowMicros() + SECOND / 10));
    }
    long buildEnd = ring.nowMicros();
    double buildWall = (System.nanoTime() - wallStart) / 1e9;
    double buildCpu = (threadCpuNanos() - cpuStart) / 1e9;
    int unjoined = started.size() - members.size();

    // Phase 2: settle; churn starts now for every node.
    phase = "settle";
    long settleStart = ring.nowMicros();
    long measureStart = settleStart + settle;
    long measureEnd = measureStart + duration;
    estimatedEndMicros = measureEnd + timeout;
    if (churn.enabled()) {
      for (BigInteger id : new ArrayList<>(started)) {
        schedule(settleStart + churn.nextSessionMicros(), Kind.FAIL_NODE, id);
      }
    }
    long steadyWallStart = System.nanoTime();
    long steadyCpuStart = threadCpuNanos();
    runActionsUntil(measureStart);

    // Phase 3: measure.
    phase = "measure";
    tracker = new LookupTracker(measureStart, duration, timeout);
    TrafficTotals measureStartTraffic = ring.traffic();
    minuteStartTraffic = measureStartTraffic;
    for (long m = measureStart + MINUTE; m < measureEnd + MINUTE; m += MINUTE) {
      schedule(Math.min(m, measureEnd), Kind.MINUTE_TICK, null);
    }
    if (config.lookupsPerSecond() > 0) {
      schedule(measureStart + nextLookupGap(), Kind.LOOKUP, null);
    }
    runActionsUntil(measureEnd);
    TrafficTotals measureEndTraffic = ring.traffic();
    int liveEndOfMeasure = members.size();

    // Phase 4: drain: no new lookups; churn goes on until every lookup is delivered or timed out.
    phase = "drain";
    actions.removeIf(a -> a.kind == Kind.LOOKUP);
    runActionsUntil(measureEnd + timeout);
    tracker.expire(ring.nowMicros() + 1 + timeout, this::closestIsJoining);
    double steadyWall = (System.nanoTime() - steadyWallStart) / 1e9;
    double steadyCpu = (threadCpuNanos() - steadyCpuStart) / 1e9;
    phase = "done";
    progress.progress(
        phase, ring.nowMicros(), estimatedEndMicros, ring.eventsProcessed(), members.size());

    long heapLive = liveHeapBytes.getAsLong();
    double wall = (System.nanoTime() - wallStart) / 1e9;
    double liveAvg =
        liveSamples.stream().mapToLong(Long::longValue).average().orElse(liveEndOfMeasure);
    double nodeSeconds = liveAvg * (duration / (double) SECOND);
    long controlMsgs = measureEndTraffic.controlMessages() - measureStartTraffic.controlMessages();
    long controlBytes = measureEndTraffic.controlBytes() - measureStartTraffic.controlBytes();
    long allBytes = measureEndTraffic.totalBytes() - measureStartTraffic.totalBytes();
    double steadySim = (ring.nowMicros() - settleStart) / (double) SECOND;
    return new RoutingSummary(
        config,
        tracker.issued(),
        tracker.delivered(),
        tracker.lost(),
        tracker.lostNearJoiningNode(),
        tracker.lateOrDuplicate(),
        tracker.wrongRoot(),
        tracker.hopsAvg(),
        tracker.hopsMax(),
        tracker.hopHistogram(),
        tracker.rdpMedian(),
        tracker.rdpRatioOfMeans(),
        tracker.rdpSamples(),
        tracker.rdpUnknown(),
        tracker.rdpPercentiles(),
        controlMsgs / nodeSeconds,
        controlBytes / nodeSeconds,
        allBytes / nodeSeconds,
        measureEndTraffic.messagesSince(measureStartTraffic),
        liveAvg,
        members.size(),
        joinsStarted,
        failures,
        (buildEnd - t0) / (double) SECOND,
        buildWall,
        buildCpu,
        unjoined,
        ring.nowMicros() / (double) SECOND,
        wall,
        steadyWall > 0 ? steadySim / steadyWall : 0,
        steadyCpu > 0 ? steadySim / steadyCpu : 0,
        ring.eventsProcessed(),
        heapLive,
        heapBaselineBytes,
        series());
  }

  /** CPU time of this thread (the whole simulation runs on it), or 0 if the JVM cannot tell. */
  private static long threadCpuNanos() {
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
  }

  private List<MinuteSample> series() {
    List<MinuteSample> out = new ArrayList<>();
    for (int i = 0; i < tracker.minuteCount(); i++) {
      LookupTracker.MinuteStats m = tracker.minute(i);
      out.add(
          new MinuteSample(
              i,
              m.lookups,
              m.lost,
              m.wrongRoot,
              m.delivered == 0 ? Double.NaN : (double) m.hopsSum / m.delivered,
              m.directLatencySum == 0
                  ? Double.NaN
                  : (double) m.routeLatencySum / m.directLatencySum,
              m.controlMessages,
              m.liveNodes));
    }
    return out;
  }

  private void runActionsUntil(long end) {
    while (!actions.isEmpty() && actions.peek().at <= end) {
      Action a = actions.poll();
      ring.runUntil(a.at);
      perform(a);
    }
    ring.runUntil(end);
  }

  private void perform(Action a) {
    switch (a.kind) {
      case START_NODE -> startFreshNode();
      case FAIL_NODE -> failAndReplace(a.node);
      case LOOKUP -> issueLookup();
      case MINUTE_TICK -> closeMinute();
      case PROGRESS -> {
        progress.progress(
            phase, ring.nowMicros(), estimatedEndMicros, ring.eventsProcessed(), members.size());
        schedule(a.at + SECOND, Kind.PROGRESS, null);
      }
    }
  }

  private void startFreshNode() {
    BigInteger id;
    do {
      id = RingMembers.randomId(idRandom);
    } while (started.contains(id));
    List<BigInteger> bootstraps = new ArrayList<>(BOOTSTRAPS);
    for (int i = 0; i < BOOTSTRAPS && members.size() > 0; i++) {
      BigInteger b = members.random(idRandom);
      if (!bootstraps.contains(b)) {
        bootstraps.add(b);
      }
    }
    if (bootstraps.isEmpty() && firstNode != null) {
      bootstraps.add(firstNode); // the ring's first node, not yet known to be ready
    }
    id = ring.startNode(id, bootstraps);
    if (firstNode == null) {
      firstNode = id;
    }
    started.add(id);
    lastStarted = id;
    joinsStarted++;
  }

  private void failAndReplace(BigInteger id) {
    if (!started.remove(id)) {
      return;
    }
    members.remove(id);
    if (id.equals(firstNode)) {
      firstNode = members.size() > 0 ? members.random(idRandom) : null;
    }
    ring.failNode(id);
    failures++;
    startFreshNode();
    // The newcomer is the last id started; its session begins with its join.
    schedule(ring.nowMicros() + churn.nextSessionMicros(), Kind.FAIL_NODE, lastStarted);
  }

  private BigInteger lastStarted;

  private void issueLookup() {
    schedule(ring.nowMicros() + nextLookupGap(), Kind.LOOKUP, null);
    if (members.size() == 0) {
      return;
    }
    BigInteger source = members.random(workloadRandom);
    BigInteger key = RingMembers.randomId(workloadRandom);
    long id = nextLookupId++;
    BigInteger expected = ring.closestReadyNode(key);
    long expectedDirect =
        expected == null
            ? -1
            : expected.equals(source) ? 0 : ring.directLatencyMicros(source, expected);
    tracker.issue(id, source, key, ring.nowMicros(), expected, expectedDirect);
    ring.route(source, key, id);
    tracker.expire(ring.nowMicros(), this::closestIsJoining);
  }

  private boolean closestIsJoining(BigInteger key) {
    BigInteger closest = ring.closestLiveNode(key);
    return closest != null && !members.contains(closest);
  }

  private void closeMinute() {
    TrafficTotals now = ring.traffic();
    int minute = tracker.minuteOf(ring.nowMicros() - 1);
    LookupTracker.MinuteStats m = tracker.minute(minute);
    m.controlMessages += now.controlMessages() - minuteStartTraffic.controlMessages();
    m.liveNodes = members.size();
    liveSamples.add((long) members.size());
    minuteStartTraffic = now;
  }

  private long nextLookupGap() {
    double mean = SECOND / config.lookupsPerSecond();
    return Math.max(1, Math.round(ChurnModel.exponential(workloadRandom, mean)));
  }

  private void schedule(long at, Kind kind, BigInteger node) {
    if (at == Long.MAX_VALUE || at < 0) {
      return;
    }
    actions.add(new Action(at, actionSeq++, kind, node));
  }

  @Override
  public void joined(BigInteger node) {
    if (started.contains(node)) {
      members.add(node);
    }
  }

  @Override
  public void delivered(long lookupId, BigInteger root, int hops) {
    if (tracker == null) {
      return; // a lookup from no phase of ours: nothing to count
    }
    BigInteger source = tracker.sourceOf(lookupId);
    BigInteger key = tracker.keyOf(lookupId);
    if (source == null || key == null) {
      tracker.delivered(lookupId, root, hops, ring.nowMicros(), root, 0);
      return;
    }
    long direct = source.equals(root) ? 0 : ring.directLatencyMicros(source, root);
    BigInteger correct = ring.closestReadyNode(key);
    tracker.delivered(
        lookupId, root, hops, ring.nowMicros(), correct == null ? root : correct, direct);
  }
}
