package org.epost.overlay.sim;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.RoutedMessage;

/** Test helper: builds rings and runs lookups, recording what a user of the overlay observes. */
final class RingHarness {
  static final int LOOKUP_APP = 100;

  final Simulation sim;
  final Map<Long, Lookup> lookups = new HashMap<>();
  final Map<SimulatedNode, AppEndpoint> endpoints = new HashMap<>();
  long sent;
  long delivered;
  long wrongRoot;
  long duplicates;
  long hopsSum;
  long pathMicros;
  long directMicros;

  /**
   * Per-lookup stretch (path / direct latency) of delivered lookups whose root is not the source.
   */
  double[] stretches = new double[1024];

  int stretchCount;
  private long nextSeq;

  static final class Lookup {
    final Id key;
    final SimulatedNode source;
    final long startMicros;
    SimulatedNode root;

    Lookup(Id key, SimulatedNode source, long startMicros) {
      this.key = key;
      this.source = source;
      this.startMicros = startMicros;
    }
  }

  RingHarness(Simulation sim) {
    this.sim = sim;
  }

  /** Creates a ring of n nodes, one joining every {@code gapMillis}, then lets it settle. */
  void build(int n, long gapMillis, long settleMillis) {
    register(sim.createRing());
    for (int i = 1; i < n; i++) {
      sim.runFor(gapMillis);
      register(sim.addNode());
    }
    sim.runFor(settleMillis);
  }

  SimulatedNode addNode() {
    SimulatedNode n = sim.addNode();
    register(n);
    return n;
  }

  void register(SimulatedNode node) {
    AppEndpoint ep =
        node.overlay()
            .register(
                LOOKUP_APP,
                new OverlayApplication() {
                  @Override
                  public void deliver(RoutedMessage m) {
                    long seq = ByteBuffer.wrap(m.payload()).getLong();
                    Lookup l = lookups.get(seq);
                    if (l == null) {
                      return;
                    }
                    if (l.root != null) {
                      duplicates++;
                      return;
                    }
                    l.root = node;
                    delivered++;
                    hopsSum += m.hops();
                    long path = sim.nowMicros() - l.startMicros;
                    long direct = sim.delayMicros(l.source, node);
                    pathMicros += path;
                    directMicros += direct;
                    if (direct > 0) {
                      if (stretchCount == stretches.length) {
                        stretches = java.util.Arrays.copyOf(stretches, stretchCount * 2);
                      }
                      stretches[stretchCount++] = path / (double) direct;
                    }
                    SimulatedNode expected = sim.closestLiveNode(l.key, true);
                    if (expected != node) {
                      wrongRoot++;
                    }
                  }
                });
    endpoints.put(node, ep);
  }

  /** Median per-lookup stretch of the lookups delivered so far (NaN if none). */
  double medianStretch() {
    if (stretchCount == 0) {
      return Double.NaN;
    }
    double[] s = java.util.Arrays.copyOf(stretches, stretchCount);
    java.util.Arrays.sort(s);
    return stretchCount % 2 == 1
        ? s[stretchCount / 2]
        : (s[stretchCount / 2 - 1] + s[stretchCount / 2]) / 2;
  }

  /** Sends one lookup from a random ready node to a random key. */
  void lookup() {
    SimulatedNode src = sim.randomReadyNode();
    if (src == null) {
      return;
    }
    lookup(src, Id.random(sim.random()));
  }

  /** Sends one lookup from {@code src} to {@code key}. */
  void lookup(SimulatedNode src, Id key) {
    long seq = nextSeq++;
    lookups.put(seq, new Lookup(key, src, sim.nowMicros()));
    sent++;
    endpoints.get(src).route(key, ByteBuffer.allocate(8).putLong(seq).array(), null);
  }
}
