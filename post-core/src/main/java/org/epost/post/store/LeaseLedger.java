package org.epost.post.store;

import java.util.List;
import org.epost.overlay.api.LoopOnly;
import org.epost.post.api.MessageRef;

/**
 * The node's record of the messages its owner's logs reference, with the lease expiry the node
 * knows for each (ADR 0101). The renewal sweep reads the entries that are due and renews them; the
 * store keeps the entries up to date. The node provides the ledger: in a simulation {@link
 * MemoryLeaseLedger}; on a real node one that survives restarts (a file under the node's data
 * directory), since a node that forgot its ledger would stop renewing its owner's mail.
 *
 * <p>An entry is small and of fixed size: the reference (100 bytes encoded), the expiry and a hold
 * count; the block ids are not kept, the sweep finds them from the message block and the interior
 * blocks when it renews.
 *
 * <p>Threading: loop only. An implementation that writes to disk does so without blocking the loop
 * (a write-behind journal on the node's storage executor) and loses at most the last moments'
 * changes in a crash: a lost hold costs at most a renewal the next time the message is filed.
 */
@LoopOnly
public interface LeaseLedger {
  /**
   * One held message.
   *
   * @param ref the message
   * @param expiryWallMillis the earliest lease expiry of its blocks as this node knows it (a wall
   *     time, epoch ms; 0 when unknown)
   * @param holds how many references this node's logs hold to it (at least 1)
   */
  record Lease(MessageRef ref, long expiryWallMillis, int holds) {
    /** Validates. */
    public Lease {
      if (holds < 1) {
        throw new IllegalArgumentException("a lease entry has at least one hold");
      }
    }
  }

  /** The entry for {@code ref}, or null. */
  Lease get(MessageRef ref);

  /** Adds or replaces the entry for {@code lease.ref()}. */
  void put(Lease lease);

  /** Removes the entry; false if there was none. */
  boolean remove(MessageRef ref);

  /** Up to {@code max} entries whose expiry is before {@code wallMillis}, earliest first. */
  List<Lease> due(long wallMillis, int max);

  /** Entries held. */
  int size();
}
