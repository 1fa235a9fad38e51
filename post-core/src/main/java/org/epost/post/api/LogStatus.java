package org.epost.post.api;

import java.util.List;
import org.epost.crypto.api.EquivocationProof;

/**
 * Counters of one node's log service since it started, and the equivocation proofs it holds (the
 * ones found in this run and those kept in local state from earlier runs).
 *
 * @param headWrites heads inserted (each append batch costs one)
 * @param blockWrites entry blocks inserted (the inline tail flushed)
 * @param snapshotWrites snapshots stored
 * @param objectsFetched PAST lookups made to read heads, entry blocks and snapshot blocks
 * @param rollbacksRejected heads older than the high-water mark, refused
 * @param equivocationsProven pairs of heads with one version, proven
 * @param corruptionsDetected blocks served that did not hash, decrypt or fit the chain (PAST's own
 *     count of copies it skipped is in its statistics)
 * @param writerConflicts appends refused because another session of this device writes the log
 * @param proofs equivocation proofs (bounded; the oldest are kept)
 */
public record LogStatus(
    long headWrites,
    long blockWrites,
    long snapshotWrites,
    long objectsFetched,
    long rollbacksRejected,
    long equivocationsProven,
    long corruptionsDetected,
    long writerConflicts,
    List<EquivocationProof> proofs) {
  public LogStatus {
    proofs = List.copyOf(proofs);
  }
}
