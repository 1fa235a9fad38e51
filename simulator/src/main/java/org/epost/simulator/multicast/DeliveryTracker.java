package org.epost.simulator.multicast;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.ScribeObserver;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;

/**
 * Follows every publication of the measurement: the subscribers expected to get it, when each got
 * it and at what depth, when it reached the root, and how many copies crossed each overlay link. A
 * record is closed at its deadline and folded into the totals (see ADR 0076 for the definitions).
 *
 * <p>Threading: the simulation's thread.
 */
final class DeliveryTracker {
  static final int MAX_DEPTH = 64;

  /** Totals of one minute of measurement, or of the whole run. */
  static final class Totals {
    long publications;
    long expected;
    long delivered;
    long duplicates;
    double penaltySum; // per publication: sum(tree delay from root) / sum(direct root->subscriber
    // delay)
    long penaltyCount;
    double publisherPenaltySum; // per publication, from the publisher's call
    long publisherPenaltyCount;
    long depthSum;
    long linkCopies;
    long links;
    int linkStressMax;

    double ratio() {
      return expected == 0 ? Double.NaN : (double) delivered / expected;
    }
  }

  private final Simulation sim;
  private final Map<Long, PublicationRecord> open = new HashMap<>();
  private final Map<Integer, SimulatedNode> byPort = new HashMap<>();
  final Totals total = new Totals();
  final List<Totals> minutes = new ArrayList<>();
  final long[] depthHistogram = new long[MAX_DEPTH + 1];
  final List<Double> penalties = new ArrayList<>();

  /** Delivery delay of every delivered copy, publisher's call to subscriber, in microseconds. */
  final org.HdrHistogram.Histogram delays = new org.HdrHistogram.Histogram(3);

  long unexpectedDeliveries;

  /**
   * Events for a publication id not known yet: a publisher that is the root delivers inside
   * publish().
   */
  private final List<Runnable> early = new ArrayList<>();

  private boolean publishing;

  DeliveryTracker(Simulation sim) {
    this.sim = sim;
  }

  void nodeAdded(SimulatedNode n) {
    byPort.put(n.address().port(), n);
  }

  /** The observer to give node {@code n}'s Scribe: it reports copies and root arrivals here. */
  ScribeObserver observer(SimulatedNode n) {
    return new ScribeObserver() {
      @Override
      public void publicationSent(TopicId topic, long publicationId, NodeHandle to, Leg leg) {
        if (deferred(publicationId, () -> publicationSent(topic, publicationId, to, leg))) {
          return;
        }
        PublicationRecord r = open.get(publicationId);
        if (r != null) {
          r.linkCopies.merge(link(n.address().port(), to.address().port()), 1, Integer::sum);
        }
      }

      @Override
      public void publicationAtRoot(TopicId topic, long publicationId) {
        if (deferred(publicationId, () -> publicationAtRoot(topic, publicationId))) {
          return;
        }
        PublicationRecord r = open.get(publicationId);
        if (r != null && r.rootMicros < 0) {
          r.rootMicros = sim.nowMicros();
          r.root = n;
        }
      }
    };
  }

  private static long link(int a, int b) {
    return a < b ? ((long) a << 32) | b : ((long) b << 32) | a;
  }

  /** Call right before {@code Scribe.publish}; {@link #published} ends the capture. */
  void publishing() {
    publishing = true;
  }

  private boolean deferred(long id, Runnable event) {
    if (publishing && !open.containsKey(id)) {
      early.add(event);
      return true;
    }
    return false;
  }

  void published(PublicationRecord r, List<Subscriber> subscribers) {
    publishing = false;
    for (Subscriber s : subscribers) {
      if (s.confirmed && s.node.isAlive()) {
        r.expected.put(s, new PublicationRecord.Expected(s));
      }
    }
    open.put(r.id, r);
    List<Runnable> replay = new ArrayList<>(early);
    early.clear();
    replay.forEach(Runnable::run);
  }

  void delivered(Subscriber s, Publication p) {
    if (deferred(p.id(), () -> delivered(s, p))) {
      return;
    }
    PublicationRecord r = open.get(p.id());
    PublicationRecord.Expected e = r == null ? null : r.expected.get(s);
    if (e == null) {
      unexpectedDeliveries++;
      return;
    }
    e.copies++;
    if (e.deliveredMicros < 0) {
      e.deliveredMicros = sim.nowMicros();
      e.depth = p.depth();
    }
  }

  /**
   * Closes {@code r} at its deadline: a subscriber that failed before the deadline without
   * receiving is not counted.
   */
  void close(long publicationId) {
    PublicationRecord r = open.remove(publicationId);
    if (r == null) {
      return;
    }
    while (minutes.size() <= r.minute) {
      minutes.add(new Totals());
    }
    Totals m = minutes.get(r.minute);
    long tree = 0;
    long direct = 0;
    long fromPublisher = 0;
    long directFromPublisher = 0;
    long expected = 0;
    long delivered = 0;
    long duplicates = 0;
    long depthSum = 0;
    for (PublicationRecord.Expected e : r.expected.values()) {
      boolean got = e.deliveredMicros >= 0;
      if (!got && !e.subscriber.node.isAlive()) {
        continue; // failed before it could receive: not live for this publication
      }
      expected++;
      if (!got) {
        continue;
      }
      delivered++;
      delays.recordValue(Math.max(0, e.deliveredMicros - r.publishedMicros));
      duplicates += e.copies - 1;
      depthSum += e.depth;
      depthHistogram[Math.min(MAX_DEPTH, e.depth)]++;
      if (r.root != null && r.root != e.subscriber.node) {
        tree += e.deliveredMicros - r.rootMicros;
        direct += sim.delayMicros(r.root, e.subscriber.node);
      }
      if (r.publisher != e.subscriber.node) {
        fromPublisher += e.deliveredMicros - r.publishedMicros;
        directFromPublisher += sim.delayMicros(r.publisher, e.subscriber.node);
      }
    }
    int maxStress = 0;
    long copies = 0;
    for (int c : r.linkCopies.values()) {
      copies += c;
      maxStress = Math.max(maxStress, c);
    }
    for (Totals t : new Totals[] {m, total}) {
      t.publications++;
      t.expected += expected;
      t.delivered += delivered;
      t.duplicates += duplicates;
      t.depthSum += depthSum;
      t.linkCopies += copies;
      t.links += r.linkCopies.size();
      t.linkStressMax = Math.max(t.linkStressMax, maxStress);
      if (direct > 0) {
        t.penaltySum += (double) tree / direct;
        t.penaltyCount++;
      }
      if (directFromPublisher > 0) {
        t.publisherPenaltySum += (double) fromPublisher / directFromPublisher;
        t.publisherPenaltyCount++;
      }
    }
    if (direct > 0) {
      penalties.add((double) tree / direct);
    }
  }
}
