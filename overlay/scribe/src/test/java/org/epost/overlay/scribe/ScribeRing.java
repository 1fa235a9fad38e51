package org.epost.overlay.scribe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.ScribeClient;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.ScribeObserver;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.scribe.api.TopicView;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;

/**
 * Test fixture: a simulated Pastry ring with Scribe on every node, and subscribers that record what
 * they receive (what a user of Scribe would observe).
 */
final class ScribeRing {
  final Simulation sim;
  final ScribeConfig config;
  final Map<SimulatedNode, Scribe> scribes = new LinkedHashMap<>();

  /**
   * A subscriber that records publications (ids, in arrival order) and accepts anycasts if told to.
   */
  static final class Recorder implements ScribeClient {
    final SimulatedNode node;
    final List<Long> received = new ArrayList<>();
    final List<Integer> depths = new ArrayList<>();
    boolean acceptAnycast;
    int anycastsOffered;
    int anycastsAccepted;
    boolean subscribed;

    Recorder(SimulatedNode node) {
      this.node = node;
    }

    @Override
    public void deliver(Publication p) {
      received.add(p.id());
      depths.add(p.depth());
    }

    @Override
    public boolean anycast(TopicId topic, byte[] payload, NodeHandle sender) {
      anycastsOffered++;
      if (acceptAnycast) {
        anycastsAccepted++;
      }
      return acceptAnycast;
    }

    @Override
    public void subscribed(TopicId topic) {
      subscribed = true;
    }

    long count(long id) {
      return received.stream().filter(r -> r == id).count();
    }
  }

  ScribeRing(long seed, ScribeConfig config) {
    this.sim = Simulation.builder().seed(seed).build();
    this.config = config;
  }

  /** Builds a ring of {@code n} nodes, each running Scribe, and lets it settle. */
  static ScribeRing build(long seed, int n, ScribeConfig config) {
    ScribeRing r = new ScribeRing(seed, config);
    r.attach(r.sim.createRing());
    for (int i = 1; i < n; i++) {
      r.sim.runFor(150);
      r.attach(r.sim.addNode());
    }
    r.sim.runFor(30_000);
    return r;
  }

  Scribe attach(SimulatedNode node) {
    Scribe s = ScribeFactory.create(node.overlay(), config, ScribeObserver.NONE);
    scribes.put(node, s);
    return s;
  }

  Scribe scribe(SimulatedNode n) {
    return scribes.get(n);
  }

  List<SimulatedNode> live() {
    List<SimulatedNode> out = new ArrayList<>();
    for (SimulatedNode n : scribes.keySet()) {
      if (n.isAlive()) {
        out.add(n);
      }
    }
    return out;
  }

  /** {@code count} distinct random live nodes, none of them in {@code except}. */
  List<SimulatedNode> pick(int count, List<SimulatedNode> except) {
    List<SimulatedNode> pool = live();
    pool.removeAll(except);
    List<SimulatedNode> out = new ArrayList<>();
    while (out.size() < count) {
      out.add(pool.remove(sim.random().nextInt(pool.size())));
    }
    return out;
  }

  Map<SimulatedNode, Recorder> subscribe(TopicId topic, List<SimulatedNode> nodes) {
    Map<SimulatedNode, Recorder> out = new HashMap<>();
    for (SimulatedNode n : nodes) {
      Recorder r = new Recorder(n);
      scribe(n).subscribe(topic, r);
      out.put(n, r);
    }
    return out;
  }

  /** The live node whose Scribe holds {@code handle}. */
  SimulatedNode node(NodeHandle handle) {
    for (SimulatedNode n : scribes.keySet()) {
      if (n.handle().equals(handle)) {
        return n;
      }
    }
    return null;
  }

  /** Live nodes that take part in {@code topic}'s tree. */
  List<SimulatedNode> treeMembers(TopicId topic) {
    List<SimulatedNode> out = new ArrayList<>();
    for (SimulatedNode n : live()) {
      if (scribe(n).view(topic) != null) {
        out.add(n);
      }
    }
    return out;
  }

  List<SimulatedNode> roots(TopicId topic) {
    List<SimulatedNode> out = new ArrayList<>();
    for (SimulatedNode n : live()) {
      TopicView v = scribe(n).view(topic);
      if (v != null && v.role() == TopicView.Role.ROOT) {
        out.add(n);
      }
    }
    return out;
  }

  long publish(SimulatedNode from, TopicId topic, String text) {
    return scribe(from)
        .publish(topic, text.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toCompletableFuture()
        .join();
  }
}
