package org.epost.overlay.past;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.RoutedMessage;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;

/**
 * The reader side of PAST. A lookup is routed towards the id; the first node on the route that
 * holds an immutable copy answers (routes from nearby sources converge, so it tends to be a near
 * replica), else the root answers with its copy and the replica set. The reader verifies each copy
 * and falls back to the other replicas, nearest measured round-trip time first. A mutable object is
 * read from every replica and the highest valid sequence wins.
 *
 * <p>Failures tell "not found" from "could not ask" (ADR 0093). An immutable object is
 * self-certifying: the first valid copy ends the lookup. Without one, or for a mutable object
 * whatever was read, the lookup reports a result only once a read quorum of the replica set
 * answered ({@link #quorum}); otherwise it fails with {@link PastException.UnavailableException}.
 * The rule decides only what is reported: which nodes are asked, and when, is the same either way.
 */
final class LookupClient {
  /** Encoded length of a Lookup message (so forward() can skip other messages without decoding). */
  static final int LOOKUP_LENGTH = 2 + 8 + Id.BYTES;

  private static final int MAX_RTT_ENTRIES = 512;
  private static final long RETRY_DELAY_MILLIS = 5_000;

  /** Once a read quorum of a mutable object's replica set answered, the wait for the rest. */
  static final long QUORUM_GRACE_MILLIS = 300;

  private final PastNode node;
  private final Map<Long, Op> ops = new HashMap<>();
  private final LinkedHashMap<NodeHandle, Long> rttMicros =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeHandle, Long> eldest) {
          return size() > MAX_RTT_ENTRIES;
        }
      };

  private final class Op {
    final long requestId;
    final Id id;
    final CompletableFuture<PastObject> future = new CompletableFuture<>();
    final Set<NodeHandle> asked = new HashSet<>();

    /** Nodes whose answer was taken into account, over every attempt (asked is reset on retry). */
    final Set<NodeHandle> answered = new HashSet<>();

    final Map<NodeHandle, Long> sentAt = new HashMap<>();
    final List<NodeHandle> candidates = new ArrayList<>();
    int routedAttempts;
    int outstanding;
    boolean mutable;
    boolean routedPending;
    PastObject best;
    Cancellable timer;

    Op(long requestId, Id id) {
      this.requestId = requestId;
      this.id = id;
    }
  }

  LookupClient(PastNode node) {
    this.node = node;
  }

  CompletionStage<PastObject> lookup(Id id) {
    PastException.UnavailableException refused = node.refusal("lookup of " + id, ops.size());
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    Op op = new Op(node.newId(), id);
    ops.put(op.requestId, op);
    route(op);
    return op.future;
  }

  private void route(Op op) {
    op.routedAttempts++;
    op.routedPending = true;
    node.endpoint()
        .route(op.id, PastCodec.encode(new PastMessage.Lookup(op.requestId, op.id)), null);
    arm(op, node.config.fetchTimeoutMillis() * 2);
  }

  private void arm(Op op, long millis) {
    if (op.timer != null) {
      op.timer.cancel();
    }
    op.timer = node.env.scheduler().schedule(millis, () -> onTimeout(op));
  }

  /** A lookup passing through: answer it here if this node holds an immutable copy. */
  boolean interceptOnRoute(RoutedMessage message) {
    PastMessage m;
    try {
      m = PastCodec.decode(message.payload());
    } catch (MalformedFrameException e) {
      return true;
    }
    if (!(m instanceof PastMessage.Lookup l)) {
      return true;
    }
    PastNode.IndexEntry held = node.index.get(l.id());
    if (held == null || held.kind() != ObjectKind.IMMUTABLE) {
      return true;
    }
    node.serve(message.source(), l.requestId(), l.id());
    return false;
  }

  void onReply(NodeHandle from, PastMessage.FetchReply r) {
    Op op = ops.get(r.requestId());
    if (op == null || !op.id.equals(r.id())) {
      if (r.object() != null && !r.object().isValid()) {
        node.counters.corruptionsDetected++; // a late bad copy: never used, still counted
        node.caughtLying(from);
      }
      return;
    }
    Long sent = op.sentAt.remove(from);
    if (sent == null && !op.routedPending) {
      // Not a reply we are waiting for (it came after a timeout): never used, but verified and
      // counted.
      if (r.object() != null && !r.object().isValid()) {
        node.counters.corruptionsDetected++;
        node.caughtLying(from);
      }
      return;
    }
    if (sent != null) {
      long sample = (node.env.clock().nowMillis() - sent) * 1000;
      Long old = rttMicros.get(from);
      rttMicros.put(from, old == null ? sample : (old * 7 + sample) / 8);
      op.outstanding--;
    } else {
      op.routedPending = false;
    }
    op.asked.add(from);
    op.answered.add(from);
    for (NodeHandle c : r.candidates()) {
      if (!op.candidates.contains(c) && op.candidates.size() < 4 * PastCodec.MAX_CANDIDATES) {
        op.candidates.add(c);
      }
    }
    if (r.object() != null) {
      PastObject valid = null;
      if (op.best != null
          && r.object().kind() == op.best.kind()
          && r.object().id().equals(op.best.id())
          && Arrays.equals(r.object().bytesUnsafe(), op.best.bytesUnsafe())) {
        // The same signed bytes another replica sent and that verified already: replicas
        // usually hold the same newest version, so a quorum read checks one signature, not one
        // per reply.
        valid = op.best;
      } else {
        try {
          PastObject v = r.object().verify();
          if (v.id().equals(op.id)) {
            valid = v;
          }
        } catch (PastException.InvalidObjectException e) {
          // counted below
        }
      }
      if (valid == null) {
        node.counters.corruptionsDetected++;
        node.caughtLying(from);
      } else if (valid.kind() == ObjectKind.IMMUTABLE) {
        finish(op, valid, null);
        return;
      } else {
        op.mutable = true;
        if (op.best == null || valid.sequence() > op.best.sequence()) {
          op.best = valid;
        }
      }
    }
    proceed(op);
  }

  private void proceed(Op op) {
    if (op.mutable) {
      for (NodeHandle c :
          op.candidates) { // ask every replica at once; the highest valid version wins
        if (!op.asked.contains(c)) {
          ask(op, c);
        }
      }
      if (op.outstanding <= 0) {
        finish(op, op.best, null);
      } else if (quorumAnswered(op)) {
        // A read quorum of the replica set answered: wait only a short grace for the others (an
        // away replica would otherwise hold every mutable read for the whole fetch timeout). What
        // is reported is what the timeout would report: the highest version a quorum holds.
        arm(op, Math.min(node.config.fetchTimeoutMillis(), QUORUM_GRACE_MILLIS));
      } else {
        arm(op, node.config.fetchTimeoutMillis());
      }
      return;
    }
    if (op.outstanding > 0) {
      return;
    }
    if (!op.answered.isEmpty()) {
      // A replica answered without a valid copy: the object may not exist at all, so ask the rest
      // of the replica set at once rather than one after another.
      boolean asked = false;
      for (NodeHandle c : replicaSet(op)) {
        if (!op.asked.contains(c)) {
          ask(op, c);
          asked = true;
        }
      }
      if (asked) {
        arm(op, node.config.fetchTimeoutMillis());
        return;
      }
    }
    NodeHandle next = nearestUnasked(op);
    if (next != null) {
      ask(op, next);
      arm(op, node.config.fetchTimeoutMillis());
    } else if (answeredByQuorum(op)) {
      // A read quorum of the replica set answered and none holds a copy: that is the answer (ADR
      // 0093). Routing again would only make every first write of a new object wait.
      finish(op, null, null);
    } else if (op.routedAttempts < node.config.lookupAttempts()) {
      // Every known replica failed: the live replica set may be mid-repair after a departure. Wait
      // a
      // little, then route again and give every candidate a second chance.
      op.asked.clear();
      op.routedPending = false;
      if (op.timer != null) {
        op.timer.cancel();
      }
      op.timer =
          node.env
              .scheduler()
              .schedule(
                  RETRY_DELAY_MILLIS,
                  () -> {
                    if (ops.containsKey(op.requestId)) {
                      route(op);
                    }
                  });
    } else {
      finish(op, null, null);
    }
  }

  private void ask(Op op, NodeHandle to) {
    op.asked.add(to);
    op.outstanding++;
    op.sentAt.put(to, node.env.clock().nowMillis());
    node.send(to, new PastMessage.Fetch(op.requestId, op.id));
  }

  private NodeHandle nearestUnasked(Op op) {
    NodeHandle best = null;
    long bestRtt = Long.MAX_VALUE;
    for (NodeHandle c : op.candidates) {
      if (op.asked.contains(c)) {
        continue;
      }
      Long rtt = rttMicros.get(c);
      long r =
          rtt == null ? Long.MAX_VALUE - 1 : rtt; // unmeasured after measured, in replica-set order
      if (best == null || r < bestRtt) {
        best = c;
        bestRtt = r;
      }
    }
    return best;
  }

  private void onTimeout(Op op) {
    if (!ops.containsKey(op.requestId)) {
      return;
    }
    op.routedPending = false;
    op.outstanding = 0;
    op.sentAt.clear(); // late replies are ignored
    if (op.mutable) {
      finish(op, op.best, null);
    } else {
      proceed(op);
    }
  }

  private void finish(Op op, PastObject result, RuntimeException failure) {
    if (ops.remove(op.requestId) == null) {
      return;
    }
    if (op.timer != null) {
      op.timer.cancel();
    }
    if (failure != null) {
      op.future.completeExceptionally(failure);
      return;
    }
    List<NodeHandle> set = replicaSet(op);
    int answered = 0;
    for (NodeHandle h : set) {
      answered += op.answered.contains(h) ? 1 : 0;
    }
    int quorum = quorum(set.size());
    boolean settled = answered >= quorum || result != null && result.kind() == ObjectKind.IMMUTABLE;
    if (settled && result != null) {
      op.future.complete(result);
    } else if (settled) {
      op.future.completeExceptionally(
          new PastException.ObjectNotFoundException(
              "no valid copy of "
                  + op.id
                  + ": "
                  + answered
                  + " of the "
                  + set.size()
                  + " replicas known answered (quorum "
                  + quorum
                  + ") and none holds one",
              answered,
              set.size()));
    } else {
      op.future.completeExceptionally(
          new PastException.UnavailableException(
              "lookup of "
                  + op.id
                  + (set.isEmpty()
                      ? ": no replica answered the request routed towards the id ("
                          + op.routedAttempts
                          + " attempts)"
                      : ": only "
                          + answered
                          + " of the "
                          + set.size()
                          + " replicas known answered, "
                          + quorum
                          + " are needed")
                  + " to tell"
                  + (result != null ? " the highest version" : " whether it exists")
                  + "; retry later",
              PastException.UnavailableException.Reason.NO_QUORUM,
              answered,
              set.size()));
    }
  }

  /** Whether a read quorum of the replica set as this reader knows it answered. */
  private boolean answeredByQuorum(Op op) {
    List<NodeHandle> set = replicaSet(op);
    int answered = 0;
    for (NodeHandle h : set) {
      answered += op.answered.contains(h) ? 1 : 0;
    }
    return !set.isEmpty() && answered >= quorum(set.size());
  }

  private boolean quorumAnswered(Op op) {
    List<NodeHandle> set = replicaSet(op);
    int answered = 0;
    for (NodeHandle h : set) {
      answered += op.answered.contains(h) ? 1 : 0;
    }
    return set.size() >= node.config.replicas() && answered >= quorum(set.size());
  }

  /**
   * The replica set as this reader knows it: the k nodes closest to the id among every node named
   * as a candidate or heard from.
   */
  private List<NodeHandle> replicaSet(Op op) {
    Set<NodeHandle> known = new HashSet<>(op.candidates);
    known.addAll(op.answered);
    List<NodeHandle> set = new ArrayList<>(known);
    set.sort((a, b) -> Id.byClosenessTo(op.id).compare(a.id(), b.id()));
    return set.subList(0, Math.min(node.config.replicas(), set.size()));
  }

  /**
   * Answers needed from a replica set of {@code known} members: a majority of k, or all of them
   * when fewer are known. An insert succeeds once a majority of k (or every member, on a smaller
   * ring) stored the object, and any two such sets overlap: when a quorum answered and none holds a
   * valid copy, no acknowledged insert is in this replica set. Never zero: hearing nothing proves
   * nothing.
   */
  private int quorum(int known) {
    return Math.max(1, Math.min(node.config.majority(), known));
  }

  void stop() {
    for (Op op : new ArrayList<>(ops.values())) {
      finish(
          op,
          null,
          new PastException.UnavailableException(
              "lookup of " + op.id + ": PAST was stopped on this node",
              PastException.UnavailableException.Reason.STOPPED,
              op.answered.size(),
              op.asked.size()));
    }
  }
}
