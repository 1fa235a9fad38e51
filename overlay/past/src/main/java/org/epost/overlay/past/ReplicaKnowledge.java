package org.epost.overlay.past;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.epost.overlay.api.Id;

/**
 * What a PAST node has learnt about its neighbourhood that must outlive a session (ADR 0080): when
 * each neighbour was last seen, the latest digest each sent, which neighbours proved (by audit) to
 * hold which objects, and which were caught lying. A node that goes offline and comes back keeps
 * this, as it keeps its disk, so a neighbour that is merely offline still counts as the holder it
 * was. Pass the same instance to {@link PastNodes#create(org.epost.overlay.api.KeyBasedRouter,
 * org.epost.overlay.past.api.ObjectStore, java.util.concurrent.Executor,
 * org.epost.overlay.past.api.PastConfig, ReplicaKnowledge)} when the node restarts.
 *
 * <p>Time: every instant here (last seen, digests received, proofs, liars) is the monotonic {@link
 * org.epost.overlay.api.Clock#nowMillis} of this process, and absences are measured in this node's
 * online time ({@link #resume}). The knowledge lives in memory, beside a node that restarts within
 * one process (and in the simulator); it is never written to disk, where a monotonic time would
 * lose its meaning (ADR 0092).
 *
 * <p>Threading: touched only on the event loop of the node that uses it; one node at a time. Every
 * map is bounded ({@link #MAX_NODES} neighbours, {@link #MAX_VERIFIED_PER_NODE} proofs each).
 */
public final class ReplicaKnowledge {
  static final int MAX_NODES = 512;
  static final int MAX_VERIFIED_PER_NODE = 4096;

  /**
   * A neighbour's latest digest and the one before it (a claim is audited once two salts agree).
   */
  record Digest(Id from, Id to, BloomFilter filter, BloomFilter previous, long receivedAt) {
    boolean covers(Id id) {
      return from.equals(to) || RingView.inArc(id, from, to);
    }

    boolean claims(Id id, long version) {
      return covers(id) && filter.mightContain(id, version);
    }
  }

  final Map<Id, Long> lastSeen = new HashMap<>();

  /** When this node last ran maintenance: the start of its own absence if it is restarting. */
  long lastAlive = Long.MIN_VALUE;

  final Map<Id, Digest> digests = new HashMap<>();
  final Map<Id, Long> liars = new HashMap<>();

  /** Objects this node pushed to a neighbour (it pulled them): it cannot honestly lose them. */
  final Map<Id, Set<Id>> given = new HashMap<>();

  final Map<Id, Map<Id, Long>> verified = new HashMap<>();
  final Map<Id, Set<Id>> refuted = new HashMap<>();

  /** An empty memory: a node that never ran before. */
  public ReplicaKnowledge() {}

  /**
   * This node starts again after being away itself: its own absence is no evidence that a neighbour
   * left, so every "last seen" moves forward by the time this node was away. Absences are thus
   * measured in this node's online time.
   */
  void resume(long now) {
    if (lastAlive != Long.MIN_VALUE && now > lastAlive) {
      long away = now - lastAlive;
      lastSeen.replaceAll((id, t) -> Math.min(now, t + away));
    }
    lastAlive = now;
  }

  void seen(Id node, long now) {
    lastSeen.put(node, now);
  }

  boolean isLiar(Id node) {
    return liars.containsKey(node);
  }

  void markLiar(Id node, long now) {
    liars.put(node, now);
    digests.remove(node);
    verified.remove(node);
    if (liars.size() > MAX_NODES) {
      dropOldest(liars);
    }
  }

  void gave(Id node, Id object) {
    Set<Id> s = given.computeIfAbsent(node, k -> new HashSet<>());
    if (s.size() >= MAX_VERIFIED_PER_NODE) {
      s.clear();
    }
    s.add(object);
  }

  /**
   * Whether "not held" from {@code node} for {@code object} is a lie: it proved possession before,
   * or it pulled the object from this node. An honest node loses neither (it collects copies only
   * when their lease expires or its disk is nearly full); a claim that only a Bloom false positive
   * made is merely refuted.
   */
  boolean cannotHaveLost(Id node, Id object) {
    Set<Id> g = given.get(node);
    return verifiedAt(node, object) != Long.MIN_VALUE || (g != null && g.contains(object));
  }

  void verifiedHolder(Id node, Id object, long now) {
    Map<Id, Long> m = verified.computeIfAbsent(node, k -> new HashMap<>());
    if (m.size() >= MAX_VERIFIED_PER_NODE) {
      m.clear();
    }
    m.put(object, now);
  }

  long verifiedAt(Id node, Id object) {
    Map<Id, Long> m = verified.get(node);
    Long t = m == null ? null : m.get(object);
    return t == null ? Long.MIN_VALUE : t;
  }

  void refute(Id node, Id object) {
    refuted.computeIfAbsent(node, k -> new HashSet<>()).add(object);
    Map<Id, Long> m = verified.get(node);
    if (m != null) {
      m.remove(object);
    }
  }

  boolean isRefuted(Id node, Id object) {
    Set<Id> s = refuted.get(node);
    return s != null && s.contains(object);
  }

  void digest(Id node, Digest d) {
    digests.put(node, d);
    refuted.remove(node); // a fresh digest is a fresh claim
  }

  /** Forgets nodes not seen for {@code timeoutMillis}: they are presumed gone for good. */
  void expire(long now, long timeoutMillis) {
    Iterator<Map.Entry<Id, Long>> it = lastSeen.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Id, Long> e = it.next();
      if (now - e.getValue() > timeoutMillis) {
        it.remove();
        forget(e.getKey());
      }
    }
    while (lastSeen.size() > MAX_NODES) {
      Id oldest = dropOldest(lastSeen);
      forget(oldest);
    }
    liars.values().removeIf(t -> now - t > 7 * timeoutMillis);
  }

  private void forget(Id node) {
    digests.remove(node);
    verified.remove(node);
    refuted.remove(node);
    given.remove(node);
  }

  private static Id dropOldest(Map<Id, Long> m) {
    Id oldest = null;
    long t = Long.MAX_VALUE;
    for (Map.Entry<Id, Long> e : m.entrySet()) {
      if (e.getValue() < t) {
        t = e.getValue();
        oldest = e.getKey();
      }
    }
    m.remove(oldest);
    return oldest;
  }
}
