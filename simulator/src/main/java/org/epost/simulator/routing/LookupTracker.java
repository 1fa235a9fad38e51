package org.epost.simulator.routing;

import java.math.BigInteger;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.HdrHistogram.DoubleHistogram;

/**
 * Follows every lookup of the measurement phase from issue to delivery or timeout and accumulates
 * the routing figures, globally and per simulated minute.
 *
 * <p>A lookup is delivered if the overlay hands it to an application within {@code timeoutMicros}
 * of being issued; otherwise it is lost (a later delivery is counted as late, not as delivered). It
 * is delivered to the wrong root if, at the moment of delivery, some live ring member is strictly
 * closer to the key than the node it was delivered to (see ADR 0051).
 *
 * <p>Not thread-safe; used on the experiment's thread only.
 */
final class LookupTracker {

  static final int HOP_BUCKETS = 64;

  /**
   * @param expectedRoot the closest ready node when the lookup was issued
   * @param expectedDirectMicros latency from source to {@code expectedRoot}, for when the source
   *     has failed by the time of delivery (-1 if unknown)
   */
  private record Pending(
      BigInteger source,
      BigInteger key,
      long issuedMicros,
      int minute,
      BigInteger expectedRoot,
      long expectedDirectMicros) {}

  private final long timeoutMicros;
  private final long measureStartMicros;
  private final MinuteStats[] minutes;
  private final Map<Long, Pending> pending = new LinkedHashMap<>();
  private final DoubleHistogram rdp = new DoubleHistogram(3);
  private final long[] hopHistogram = new long[HOP_BUCKETS];

  private long issued;
  private long delivered;
  private long lost;
  private long lateOrDuplicate;
  private long wrongRoot;
  private long lostNearJoiningNode;
  private long rdpUnknown;
  private long hopsSum;
  private int hopsMax;
  private long routeLatencySum;
  private long directLatencySum;

  /** Per-minute accumulators; package-private for the experiment's series. */
  static final class MinuteStats {
    long lookups;
    long lost;
    long wrongRoot;
    long delivered;
    long hopsSum;
    long routeLatencySum;
    long directLatencySum;
    long controlMessages;
    int liveNodes;
  }

  LookupTracker(long measureStartMicros, long measureMicros, long timeoutMicros) {
    this.measureStartMicros = measureStartMicros;
    this.timeoutMicros = timeoutMicros;
    int count = (int) Math.max(1, (measureMicros + 59_999_999L) / 60_000_000L);
    minutes = new MinuteStats[count];
    for (int i = 0; i < count; i++) {
      minutes[i] = new MinuteStats();
    }
  }

  void issue(
      long lookupId,
      BigInteger source,
      BigInteger key,
      long nowMicros,
      BigInteger expectedRoot,
      long expectedDirectMicros) {
    int minute = minuteOf(nowMicros);
    pending.put(
        lookupId, new Pending(source, key, nowMicros, minute, expectedRoot, expectedDirectMicros));
    issued++;
    minutes[minute].lookups++;
  }

  /**
   * Records a delivery.
   *
   * @param correctRoot the live member closest to the key right now
   * @param directLatencyMicros modelled one-way latency from the lookup's source to {@code root}, 0
   *     if the source is the root, -1 if unknown because the source has failed meanwhile
   */
  void delivered(
      long lookupId,
      BigInteger root,
      int hops,
      long nowMicros,
      BigInteger correctRoot,
      long directLatencyMicros) {
    Pending p = pending.remove(lookupId);
    if (p == null) {
      lateOrDuplicate++;
      return;
    }
    MinuteStats m = minutes[p.minute];
    long latency = nowMicros - p.issuedMicros;
    if (latency > timeoutMicros) {
      lost++;
      m.lost++;
      lateOrDuplicate++;
      return;
    }
    delivered++;
    m.delivered++;
    if (RingMembers.distance(root, p.key).compareTo(RingMembers.distance(correctRoot, p.key)) > 0) {
      wrongRoot++;
      m.wrongRoot++;
    }
    hopsSum += hops;
    m.hopsSum += hops;
    hopsMax = Math.max(hopsMax, hops);
    hopHistogram[Math.min(Math.max(hops, 0), HOP_BUCKETS - 1)]++;
    if (directLatencyMicros < 0 && root.equals(p.expectedRoot)) {
      directLatencyMicros = p.expectedDirectMicros;
    }
    if (directLatencyMicros < 0) {
      rdpUnknown++;
    } else if (directLatencyMicros > 0) {
      routeLatencySum += latency;
      directLatencySum += directLatencyMicros;
      m.routeLatencySum += latency;
      m.directLatencySum += directLatencyMicros;
      rdp.recordValue(Math.max((double) latency / directLatencyMicros, 1e-3));
    }
  }

  /** Source of a pending lookup, or null if it is no longer pending. */
  BigInteger sourceOf(long lookupId) {
    Pending p = pending.get(lookupId);
    return p == null ? null : p.source;
  }

  /** Key of a pending lookup, or null if it is no longer pending. */
  BigInteger keyOf(long lookupId) {
    Pending p = pending.get(lookupId);
    return p == null ? null : p.key;
  }

  /**
   * Counts as lost every pending lookup issued more than the timeout before {@code nowMicros}.
   *
   * @param nearJoiningNode tells whether a key's closest live node is one that is still joining
   */
  void expire(long nowMicros, Predicate<BigInteger> nearJoiningNode) {
    Iterator<Pending> it = pending.values().iterator();
    while (it.hasNext()) {
      Pending p = it.next();
      if (nowMicros - p.issuedMicros <= timeoutMicros) {
        return; // issue order: every later entry is younger
      }
      it.remove();
      lost++;
      minutes[p.minute].lost++;
      if (nearJoiningNode.test(p.key)) {
        lostNearJoiningNode++;
      }
    }
  }

  int minuteOf(long nowMicros) {
    long m = (nowMicros - measureStartMicros) / 60_000_000L;
    return (int) Math.max(0, Math.min(minutes.length - 1, m));
  }

  MinuteStats minute(int index) {
    return minutes[index];
  }

  int minuteCount() {
    return minutes.length;
  }

  long issued() {
    return issued;
  }

  long delivered() {
    return delivered;
  }

  long lost() {
    return lost;
  }

  long lateOrDuplicate() {
    return lateOrDuplicate;
  }

  long wrongRoot() {
    return wrongRoot;
  }

  long lostNearJoiningNode() {
    return lostNearJoiningNode;
  }

  long rdpUnknown() {
    return rdpUnknown;
  }

  int hopsMax() {
    return hopsMax;
  }

  long[] hopHistogram() {
    return hopHistogram.clone();
  }

  long rdpSamples() {
    return rdp.getTotalCount();
  }

  double hopsAvg() {
    return delivered == 0 ? Double.NaN : (double) hopsSum / delivered;
  }

  double rdpMedian() {
    return rdp.getTotalCount() == 0 ? Double.NaN : rdp.getValueAtPercentile(50);
  }

  /**
   * The stretch distribution: element {@code p} is the stretch (route latency / direct latency) at
   * percentile {@code p}, for p = 0..100; empty when no lookup was measured.
   */
  double[] rdpPercentiles() {
    if (rdp.getTotalCount() == 0) {
      return new double[0];
    }
    double[] out = new double[101];
    for (int p = 0; p <= 100; p++) {
      out[p] = p == 0 ? rdp.getMinValue() : rdp.getValueAtPercentile(p);
    }
    return out;
  }

  double rdpRatioOfMeans() {
    return directLatencySum == 0 ? Double.NaN : (double) routeLatencySum / directLatencySum;
  }
}
