package org.epost.overlay.scribe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.ScribeMessage.Heartbeat;
import org.epost.overlay.scribe.ScribeMessage.HeartbeatAck;
import org.epost.overlay.scribe.ScribeMessage.Leave;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.scribe.api.TopicView.Role;

/**
 * Keeps one node's trees whole. Every {@code heartbeatMillis} one tick: a child sends each parent
 * one heartbeat listing all topics it shares with it; a parent that did not answer the previous one
 * is taken as failed and every topic under it re-joins (a repair join, which asks for missed
 * publications). The tick also drops silent children, retries pending joins, hands the root over
 * when a node closer to a topic's key is known, prunes empty trees and ages the resend buffers. A
 * leaf-set departure reported by the overlay triggers the same repair at once.
 *
 * <p>Threading: the node's event loop.
 */
final class TreeMaintenance {
  private record Outstanding(int nonce, TopicId[] topics, long sentAtMillis) {}

  /** Delays at or above this are reported as unknown (the field has 23 bits). */
  static final int MAX_REPORTED_DELAY = (1 << 23) - 1;

  /**
   * Re-attach only to an ancestor promising less than this fraction of the current delay from the
   * root.
   */
  static final double REPARENT_GAIN = 0.75;

  /** Ancestors probed per round. */
  static final int MAX_PROBES = 8;

  private final ScribeNode node;
  private final Map<NodeHandle, Outstanding> outstanding = new HashMap<>();
  private final Map<NodeHandle, Integer> rttToParent = new HashMap<>();
  private Cancellable timer;

  TreeMaintenance(ScribeNode node) {
    this.node = node;
  }

  void start() {
    // Spread the ticks of different nodes over the period.
    long first = 1 + node.env.random().nextInt((int) Math.max(1, node.config.heartbeatMillis()));
    timer = node.env.scheduler().schedule(first, this::tick);
  }

  void stop() {
    if (timer != null) {
      timer.cancel();
    }
  }

  private void tick() {
    if (node.stopped) {
      return;
    }
    timer = node.env.scheduler().schedule(node.config.heartbeatMillis(), this::tick);
    long now = node.now();
    // 1. Parents that did not answer the last heartbeat have failed.
    List<NodeHandle> silent = new ArrayList<>();
    outstanding.forEach((parent, o) -> silent.add(parent));
    outstanding.clear();
    for (NodeHandle p : silent) {
      parentFailed(p);
    }
    // 2. Per topic: children, joins, roots, pruning, buffers.
    Map<NodeHandle, List<TopicId>> byParent = new HashMap<>();
    for (Topic t : new ArrayList<>(node.topics.values())) {
      Iterator<Topic.Child> it = t.children.values().iterator();
      while (it.hasNext()) {
        if (now - it.next().lastHeardMillis > node.config.childTimeoutMillis()) {
          it.remove();
        }
      }
      t.recent.expire(now, node.config.bufferWindowMillis(), node.budget);
      if (t.role == Role.ATTACHED) {
        byParent.computeIfAbsent(t.parent, p -> new ArrayList<>()).add(t.id);
        if (node.config.optimizeParents()) {
          optimize(t, now);
        }
      } else if (t.role == Role.JOINING && now >= t.nextJoinAtMillis) {
        if (t.client == null && t.children.isEmpty()) {
          node.forget(t);
          continue;
        }
        node.sendJoin(t);
      }
      node.maybePrune(t);
    }
    checkRoots();
    // 3. Heartbeats, one per parent (split if a parent holds very many of our topics).
    byParent.forEach(
        (parent, ids) -> {
          for (int from = 0; from < ids.size(); from += ScribeCodec.MAX_HEARTBEAT_TOPICS) {
            List<TopicId> part =
                ids.subList(from, Math.min(ids.size(), from + ScribeCodec.MAX_HEARTBEAT_TOPICS));
            TopicId[] arr = part.toArray(new TopicId[0]);
            int nonce = node.env.random().nextInt(Integer.MAX_VALUE);
            int rtt = rttToParent.getOrDefault(parent, Integer.MAX_VALUE);
            if (from == 0) {
              outstanding.put(parent, new Outstanding(nonce, arr, now));
            }
            node.send(parent, new Heartbeat(nonce, rtt, arr));
          }
        });
    rttToParent.keySet().retainAll(byParent.keySet());
  }

  /** Roots that know of a node closer to the key hand over: they join the new root's tree. */
  void checkRoots() {
    if (!node.router.isReady()) {
      return;
    }
    for (Topic t : new ArrayList<>(node.topics.values())) {
      if (t.role == Role.ROOT) {
        List<NodeHandle> closest = node.router.replicaSet(t.id.id(), 1);
        if (!closest.isEmpty() && !closest.get(0).equals(node.self)) {
          if (t.client == null && t.children.isEmpty()) {
            node.forget(t);
          } else {
            t.repair = true;
            t.joinAttempts = 0;
            node.sendJoin(t);
          }
        }
      }
    }
  }

  /**
   * The overlay says {@code h} left our leaf set: repair at once instead of waiting for a
   * heartbeat.
   */
  void neighbourFailed(NodeHandle h) {
    for (Topic t : node.topics.values()) {
      t.children.remove(h);
    }
    parentFailed(h);
    checkRoots();
  }

  private void parentFailed(NodeHandle parent) {
    outstanding.remove(parent);
    for (Topic t : new ArrayList<>(node.topics.values())) {
      if (t.role == Role.ATTACHED && t.parent.equals(parent)) {
        rejoin(t);
      }
    }
  }

  private void rejoin(Topic t) {
    node.stats.rejoins++;
    t.repair = true;
    t.carriedSeen = null;
    t.joinAttempts = 0;
    if (t.client == null && t.children.isEmpty()) {
      node.forget(t);
      return;
    }
    node.sendJoin(t);
  }

  void heartbeatReceived(Heartbeat h, NodeHandle child) {
    int[] status = new int[h.topics().length];
    long now = node.now();
    for (int i = 0; i < status.length; i++) {
      Topic t = node.topics.get(h.topics()[i]);
      Topic.Child c = t == null ? null : t.children.get(child);
      if (c != null) {
        c.lastHeardMillis = now;
        c.rttMillis = h.rttMillis();
        int delay = Math.min(t.rootDelayMillis, MAX_REPORTED_DELAY);
        status[i] = (delay << 8) | Math.min(255, 1 + t.depth);
      }
    }
    node.send(child, new HeartbeatAck(h.nonce(), status));
  }

  void heartbeatAckReceived(HeartbeatAck a, NodeHandle parent) {
    Outstanding o = outstanding.get(parent);
    if (o == null || o.nonce() != a.nonce()) {
      return;
    }
    outstanding.remove(parent);
    rttToParent.put(parent, (int) Math.min(Integer.MAX_VALUE, node.now() - o.sentAtMillis()));
    int n = Math.min(o.topics().length, a.status().length);
    for (int i = 0; i < n; i++) {
      Topic t = node.topics.get(o.topics()[i]);
      if (t == null || t.role != Role.ATTACHED || !t.parent.equals(parent)) {
        continue;
      }
      int s = a.status()[i] & 0xFF;
      int parentDelay = a.status()[i] >>> 8;
      if (s == 0) {
        rejoin(t); // the parent forgot us
      } else if (s > ScribeNode.MAX_DEPTH) {
        node.stats.loopsBroken++; // depth keeps growing: we are in a loop
        node.send(parent, new Leave(t.id));
        rejoin(t);
      } else {
        t.depth = s;
        int rtt = rttToParent.get(parent);
        t.rootDelayMillis =
            parentDelay >= MAX_REPORTED_DELAY ? Topic.UNKNOWN_DELAY : parentDelay + rtt / 2;
      }
    }
  }

  // ---- parent optimisation (ADR 0077) ----------------------------------------------------------

  /**
   * One step of the optimisation of {@code t}'s parent: after a probe round, re-attach to the
   * ancestor that promises the lowest delay from the root if that is under {@link #REPARENT_GAIN}
   * of the current path's delay (and 5 ms shorter); every few heartbeats, probe the ancestors above
   * the parent again. The threshold keeps trees deep where their paths are already close to direct.
   */
  private void optimize(Topic t, long now) {
    if (t.probeRoundAtMillis >= 0 && now - t.probeRoundAtMillis >= node.config.heartbeatMillis()) {
      t.probeRoundAtMillis = -1;
      t.probesSent.clear();
      int current = t.rootDelayMillis;
      if (t.bestCandidate != null
          && current != Topic.UNKNOWN_DELAY
          && t.bestCandidateDelay < Math.min(current * REPARENT_GAIN, current - 5)) {
        t.reparentTarget = t.bestCandidate;
        long[] seen = t.recent.latestSeen(ScribeCodec.MAX_SEEN);
        node.send(t.bestCandidate, new ScribeMessage.Join(t.id, true, seen, 4));
      }
      t.bestCandidate = null;
      t.bestCandidateDelay = Topic.UNKNOWN_DELAY;
    }
    if (now < t.nextOptimizeAtMillis
        || t.rootDelayMillis == Topic.UNKNOWN_DELAY
        || t.path.length < 2) {
      return;
    }
    if (t.client == null && t.children.isEmpty()) {
      return;
    }
    long period = 5 * node.config.heartbeatMillis();
    t.nextOptimizeAtMillis = now + period + node.env.random().nextInt((int) Math.max(1, period));
    t.probeRoundAtMillis = now;
    t.probeNonce = node.env.random().nextInt(Integer.MAX_VALUE);
    t.probesSent.clear();
    t.reparentTarget = null;
    int probes = 0;
    for (int i = 0;
        i < t.path.length - 1 && probes < MAX_PROBES;
        i++) { // every ancestor above the parent
      NodeHandle a = t.path[i];
      if (!a.equals(node.self)) {
        t.probesSent.put(a, now);
        node.send(a, new ScribeMessage.Probe(t.id, t.probeNonce));
        probes++;
      }
    }
  }

  void probeReceived(ScribeMessage.Probe p, NodeHandle from) {
    Topic t = node.topics.get(p.topic());
    boolean canTake =
        t != null
            && t.attached()
            && t.rootDelayMillis != Topic.UNKNOWN_DELAY
            && !t.inPath(from.id())
            && (t.children.containsKey(from)
                || t.children.size() < node.config.maxChildrenPerTopic());
    node.send(
        from, new ScribeMessage.ProbeReply(p.topic(), p.nonce(), canTake ? t.rootDelayMillis : -1));
  }

  void probeReplyReceived(ScribeMessage.ProbeReply r, NodeHandle from) {
    Topic t = node.topics.get(r.topic());
    if (t == null
        || t.role != Role.ATTACHED
        || r.nonce() != t.probeNonce
        || r.rootDelayMillis() < 0) {
      return;
    }
    Long sentAt = t.probesSent.remove(from);
    if (sentAt == null) {
      return;
    }
    long estimate = r.rootDelayMillis() + (node.now() - sentAt) / 2;
    if (estimate < t.bestCandidateDelay) {
      t.bestCandidateDelay = (int) Math.min(Topic.UNKNOWN_DELAY - 1, estimate);
      t.bestCandidate = from;
    }
  }
}
