package org.epost.overlay.past;

import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.past.api.PastObject;

/** The messages PAST nodes exchange (encoded by {@link PastCodec}). */
sealed interface PastMessage {

  /**
   * Routed to the object's id: the root stores it on the replica set and answers with {@link
   * OpResult}.
   */
  record Insert(long requestId, PastObject object) implements PastMessage {}

  /**
   * Root or repairing node to a replica: store this. {@code operationId} 0 means no acknowledgement
   * wanted; otherwise the replica answers with a proof over {@code nonce} of what it reads back.
   */
  record Store(long operationId, long nonce, PastObject object) implements PastMessage {}

  /**
   * Replica to root: what a {@link Store} or {@link RenewReplica} did; for a store, {@code proof}
   * is {@link AuditProof} over the store's nonce and the bytes read back from the replica's store
   * (empty otherwise).
   */
  record StoreAck(long operationId, int status, byte[] proof) implements PastMessage {}

  /** Root to the origin of an insert or renew: how many replicas stored it. */
  record OpResult(long requestId, int stored, int status) implements PastMessage {}

  /** Routed to an object's id; the first holder met on the route (or the root) answers. */
  record Lookup(long requestId, Id id) implements PastMessage {}

  /** Reader to one replica: send me your copy. */
  record Fetch(long requestId, Id id) implements PastMessage {}

  /** A holder's answer: its copy (or null) and the replica set as it knows it. */
  record FetchReply(long requestId, Id id, PastObject object, List<NodeHandle> candidates)
      implements PastMessage {}

  /**
   * Routed to an immutable object's id: extend its lease on the replica set to {@code expiryMillis}
   * (a wall time, epoch ms).
   */
  record Renew(long requestId, Id id, long expiryMillis) implements PastMessage {}

  /** Root to a replica: extend the lease of {@code id}. */
  record RenewReplica(long operationId, Id id, long expiryMillis) implements PastMessage {}

  /**
   * Digest of what the sender holds in the ring range (from, to] where it should hold objects: a
   * Bloom filter of (id, version) with a per-round salt. The receiver pushes what the sender lacks.
   */
  record Sync(Id from, Id to, BloomFilter filter) implements PastMessage {}

  /** Answer to a {@link Sync}: the (id, version) pairs the requester lacks and should hold. */
  record Offer(List<Id> ids, long[] versions) implements PastMessage {}

  /**
   * The requester picks from an {@link Offer} what it still lacks; the holder answers with {@link
   * Store}s.
   */
  record Pull(List<Id> ids) implements PastMessage {}

  /** Auditor to a neighbour: prove you hold these (id, version) pairs, with this fresh nonce. */
  record Audit(long nonce, List<Id> ids, long[] versions) implements PastMessage {}

  /** One {@link AuditProof} (or marker) per audited id, in order. */
  record AuditReply(long nonce, List<byte[]> proofs) implements PastMessage {}

  /** Status codes of {@link StoreAck} and {@link OpResult}. */
  final class Status {
    static final int STORED = 0;
    static final int INVALID = 1;
    static final int QUOTA = 2;
    static final int NOT_STORED = 3;
    static final int FAILED = 4;

    private Status() {}
  }
}
