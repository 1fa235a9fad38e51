package org.epost.overlay.past;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;

/**
 * Possession audits (ADR 0081): every maintenance round a node challenges each live leaf-set
 * neighbour with a fresh nonce over objects both hold and that the neighbour's last two digests
 * claim; the neighbour answers {@link AuditProof}s. Verdicts go into the {@link ReplicaKnowledge}:
 * verified holders, refuted claims, liars.
 *
 * <p>Threading: the node's event loop only, like {@link ReplicaMaintenance} which owns it. At most
 * {@link #MAX_PENDING_AUDITS} challenges are outstanding; unanswered ones expire after a minute.
 */
final class PossessionAudits {
  private static final int MAX_AUDIT_IDS = 32;
  static final int MAX_PENDING_AUDITS = 256;
  private static final long AUDIT_TIMEOUT_MILLIS = 60_000;
  private final PastNode node;
  private final ReplicaKnowledge knowledge;
  private final HashMap<Long, PendingAudit> audits = new HashMap<>();
  private boolean stopped;

  private record PendingAudit(
      Id holder, List<Id> ids, long[] versions, byte[][] expected, long sentAt) {}

  PossessionAudits(PastNode node, ReplicaKnowledge knowledge) {
    this.node = node;
    this.knowledge = knowledge;
  }

  private long now() {
    return node.env.clock().nowMillis();
  }

  void expire(long now) {
    audits.values().removeIf(a -> now - a.sentAt() > AUDIT_TIMEOUT_MILLIS);
  }

  void stop() {
    stopped = true;
  }

  /** Challenges each live neighbour over objects both hold that its last two digests claim. */
  void round() {
    long now = now();
    long wall = node.wallNow();
    long reaudit = node.config.absenceTimeoutMillis();
    for (NodeHandle h : node.router.leafSet()) {
      ReplicaKnowledge.Digest d = knowledge.digests.get(h.id());
      if (d == null
          || d.previous() == null
          || knowledge.isLiar(h.id())
          || audits.size() >= MAX_PENDING_AUDITS) {
        continue;
      }
      List<Id> ids = new ArrayList<>();
      List<Long> versions = new ArrayList<>();
      for (Map.Entry<Id, PastNode.IndexEntry> e :
          ReplicaMaintenance.entriesIn(node, d.from(), d.to(), d.from().equals(d.to()))) {
        Id id = e.getKey();
        long v = e.getValue().version();
        if (!node.leaseOutlastsSkew(e.getValue().expiry(), wall)
            || recentlyVerified(h.id(), id, now, reaudit)
            || knowledge.isRefuted(h.id(), id)
            || !d.filter().mightContain(id, v)
            || !d.previous().mightContain(id, v)) {
          continue;
        }
        ids.add(id);
        versions.add(v);
        if (ids.size() >= MAX_AUDIT_IDS) {
          break;
        }
      }
      if (!ids.isEmpty()) {
        sendAudit(h, ids, versions.stream().mapToLong(Long::longValue).toArray(), now);
      }
    }
  }

  private boolean isMutable(Id id) {
    PastNode.IndexEntry e = node.index.get(id);
    return e != null && e.kind() == org.epost.overlay.past.api.ObjectKind.MUTABLE;
  }

  private boolean recentlyVerified(Id holder, Id id, long now, long period) {
    long t = knowledge.verifiedAt(holder, id);
    return t != Long.MIN_VALUE && now - t < period;
  }

  private void sendAudit(NodeHandle holder, List<Id> ids, long[] versions, long now) {
    long nonce = node.env.random().nextLong();
    byte[][] expected = new byte[ids.size()][];
    int[] left = {ids.size()};
    for (int i = 0; i < ids.size(); i++) {
      int index = i;
      node.storage.submit(
          () -> node.storage.store().get(ids.get(index)),
          (object, failure) -> {
            expected[index] =
                failure == null && object != null ? AuditProof.of(nonce, object) : null;
            if (--left[0] == 0 && !stopped) {
              audits.put(nonce, new PendingAudit(holder.id(), ids, versions, expected, now));
              byte[] encoded = PastCodec.encode(new PastMessage.Audit(nonce, ids, versions));
              node.endpoint().sendDirect(holder, encoded);
              node.counters.auditMessagesSent++;
              node.counters.auditBytesSent += encoded.length;
            }
          });
    }
  }

  /** A challenge: prove possession of each (id, version) with a fresh nonce. */
  void onAudit(NodeHandle auditor, PastMessage.Audit audit) {
    int n = audit.ids().size();
    byte[][] proofs = new byte[n][];
    int[] left = {n};
    for (int i = 0; i < n; i++) {
      int index = i;
      Id id = audit.ids().get(i);
      PastNode.IndexEntry held = node.index.get(id);
      if (held == null || held.version() != audit.versions()[i]) {
        proofs[i] = held == null ? AuditProof.NOT_HELD : AuditProof.OTHER_VERSION;
        if (--left[0] == 0) {
          answerAudit(auditor, audit.nonce(), proofs);
        }
        continue;
      }
      node.storage.submit(
          () -> node.storage.store().get(id),
          (object, failure) -> {
            if (failure == null && object == null) {
              node.index.remove(id); // the store lost it: say so, and repair will refetch it
            }
            proofs[index] =
                failure != null || object == null
                    ? AuditProof.NOT_HELD
                    : AuditProof.of(audit.nonce(), object);
            if (--left[0] == 0) {
              answerAudit(auditor, audit.nonce(), proofs);
            }
          });
    }
  }

  private void answerAudit(NodeHandle auditor, long nonce, byte[][] proofs) {
    if (stopped) {
      return;
    }
    byte[] encoded = PastCodec.encode(new PastMessage.AuditReply(nonce, List.of(proofs)));
    node.endpoint().sendDirect(auditor, encoded);
    node.counters.auditMessagesSent++;
    node.counters.auditBytesSent += encoded.length;
  }

  void onAuditReply(NodeHandle holder, PastMessage.AuditReply reply) {
    PendingAudit a = audits.get(reply.nonce());
    if (a == null || !a.holder().equals(holder.id()) || reply.proofs().size() != a.ids().size()) {
      return;
    }
    audits.remove(reply.nonce());
    long now = now();
    knowledge.seen(holder.id(), now);
    for (int i = 0; i < a.ids().size(); i++) {
      byte[] proof = reply.proofs().get(i);
      Id id = a.ids().get(i);
      if (a.expected()[i] == null || AuditProof.isOtherVersion(proof)) {
        continue; // we lost our own copy, or a version changed in between: no verdict
      }
      if (AuditProof.isNotHeld(proof)) {
        boolean lie = knowledge.cannotHaveLost(holder.id(), id);
        knowledge.refute(holder.id(), id);
        if (lie) {
          knowledge.markLiar(holder.id(), now);
        }
      } else if (java.security.MessageDigest.isEqual(proof, a.expected()[i])) {
        knowledge.verifiedHolder(holder.id(), id, now);
      } else if (a.versions()[i] != 0 && isMutable(id)) {
        // Two valid versions signed under one sequence (an owner that retried with a new expiry)
        // prove differently: the claim is refuted, the holder is not called a liar.
        knowledge.refute(holder.id(), id);
      } else {
        node.counters.auditFailures++;
        knowledge.markLiar(holder.id(), now);
        return;
      }
      if (knowledge.isLiar(holder.id())) {
        node.counters.auditFailures++;
        return;
      }
    }
  }
}
