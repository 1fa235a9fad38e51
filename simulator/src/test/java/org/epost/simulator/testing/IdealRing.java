package org.epost.simulator.testing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import org.epost.simulator.api.RingListener;
import org.epost.simulator.api.SimulatedRing;
import org.epost.simulator.api.TrafficTotals;

/**
 * Test fixture: a ring with perfect knowledge. A join completes after one second; a lookup reaches
 * the live member closest to its key (as seen when it was routed) after two hops of the modelled
 * latency, and is dropped if that member fails meanwhile. Every node sends one heartbeat every ten
 * seconds. Records every start and failure, with its time, so tests can compare schedules.
 */
public final class IdealRing implements SimulatedRing {

  private static final BigInteger RING = BigInteger.ONE.shiftLeft(160);
  private static final long HEARTBEAT = 10_000_000L;

  private record Event(long at, long seq, Runnable action) {}

  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private final TreeSet<BigInteger> members = new TreeSet<>();
  private final Map<BigInteger, Boolean> alive = new HashMap<>();
  private final Map<String, Long> messages = new TreeMap<>();
  private final Map<String, Long> bytes = new TreeMap<>();
  private final List<String> trace = new ArrayList<>();
  private RingListener listener;
  private long now;
  private long seq;
  private long events;

  @Override
  public long nowMicros() {
    return now;
  }

  @Override
  public void runUntil(long timeMicros) {
    if (timeMicros < now) {
      throw new IllegalArgumentException("time goes forward only");
    }
    while (!queue.isEmpty() && queue.peek().at <= timeMicros) {
      Event e = queue.poll();
      now = e.at;
      events++;
      e.action.run();
    }
    now = timeMicros;
  }

  @Override
  public long eventsProcessed() {
    return events;
  }

  @Override
  public BigInteger startNode(BigInteger id, List<BigInteger> bootstraps) {
    if (alive.containsKey(id)) {
      throw new IllegalArgumentException("duplicate id");
    }
    alive.put(id, true);
    trace.add(
        now
            + " start "
            + id.toString(16)
            + " via "
            + bootstraps.stream().map(b -> b.toString(16)).toList());
    count("join", 2, 100);
    at(
        now + 1_000_000L,
        () -> {
          if (alive.get(id)) {
            members.add(id);
            listener.joined(id);
            heartbeat(id);
          }
        });
    return id;
  }

  @Override
  public BigInteger closestLiveNode(BigInteger key) {
    return closestReadyNode(key); // joining nodes are not tracked apart here
  }

  @Override
  public BigInteger closestReadyNode(BigInteger key) {
    return members.isEmpty() ? null : closest(key);
  }

  private void heartbeat(BigInteger id) {
    at(
        now + HEARTBEAT,
        () -> {
          if (alive.get(id)) {
            count("heartbeat", 1, 40);
            heartbeat(id);
          }
        });
  }

  @Override
  public void failNode(BigInteger id) {
    if (!Boolean.TRUE.equals(alive.get(id))) {
      throw new IllegalArgumentException("not live");
    }
    alive.put(id, false);
    members.remove(id);
    trace.add(now + " fail " + id.toString(16));
  }

  @Override
  public void route(BigInteger source, BigInteger key, long lookupId) {
    BigInteger root = closest(key);
    boolean local = root.equals(source);
    int hops = local ? 0 : 2;
    count("lookup", hops, 60);
    at(
        now + 2 * latency(source, root),
        () -> {
          if (alive.get(root)) {
            listener.delivered(lookupId, root, hops);
          }
        });
  }

  private BigInteger closest(BigInteger key) {
    BigInteger best = null;
    BigInteger bestDistance = null;
    for (BigInteger candidate :
        new BigInteger[] {
          members.ceiling(key), members.floor(key), members.first(), members.last()
        }) {
      if (candidate == null) {
        continue;
      }
      BigInteger d = candidate.subtract(key).mod(RING);
      d = d.min(RING.subtract(d));
      if (best == null
          || d.compareTo(bestDistance) < 0
          || (d.equals(bestDistance) && candidate.compareTo(best) < 0)) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  @Override
  public long directLatencyMicros(BigInteger a, BigInteger b) {
    if (!Boolean.TRUE.equals(alive.get(a)) || !Boolean.TRUE.equals(alive.get(b))) {
      return -1;
    }
    if (a.equals(b)) {
      return 0;
    }
    return 10_000L + (a.xor(b).hashCode() & 0x7fffffff) % 180_000L;
  }

  private long latency(BigInteger a, BigInteger b) {
    return a.equals(b) ? 0 : 10_000L + (a.xor(b).hashCode() & 0x7fffffff) % 180_000L;
  }

  @Override
  public TrafficTotals traffic() {
    return new TrafficTotals(messages, bytes, "lookup");
  }

  @Override
  public void setListener(RingListener listener) {
    this.listener = listener;
  }

  /** Every start and failure so far, one line each with its virtual time. */
  public List<String> trace() {
    return List.copyOf(trace);
  }

  private void count(String type, int frames, int size) {
    messages.merge(type, (long) frames, Long::sum);
    bytes.merge(type, (long) frames * size, Long::sum);
  }

  private void at(long time, Runnable action) {
    queue.add(new Event(time, seq++, action));
  }
}
