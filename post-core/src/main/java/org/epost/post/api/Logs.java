package org.epost.post.api;

import java.util.concurrent.CompletionStage;

/**
 * Signed single-writer logs (ADR 0102): a user's account log and folder logs, each a hash chain of
 * encrypted entry blocks with a signed head on PAST, written by one device and read by any holder
 * of the user's log secret.
 *
 * <p>Threading: every method on the node's loop; stages complete on the loop.
 */
public interface Logs {
  /**
   * The writer of this device's log {@code name}. One writer per log per node: a second call for
   * the same name returns the same writer.
   */
  LogWriter writer(String name, LogApplication application);

  /**
   * Reads log {@code id}. The head is confirmed from a read quorum of its replica set and checked
   * against this node's high-water mark (a rollback fails with {@link LogException.RolledBack}, an
   * equivocation with {@link LogException.Equivocated}; both are counted, the proof kept); the mark
   * then moves to it. If {@code knownSequence} (the number of operations the caller already holds,
   * 0 for none) is at or after the head's newest snapshot, the result holds only the operations
   * from {@code knownSequence}; otherwise it holds the snapshot and the operations after it.
   * Fetches the head, then in parallel the entry blocks needed and the snapshot's blocks.
   *
   * <p>Fails with {@link LogException.Unavailable} (retryable) when the ring cannot answer or says
   * "not found" for a log this node has seen; with {@link LogException.Corrupt} when no copy of a
   * needed block is valid. A log never written reads as empty (version 0, sequence 0).
   */
  CompletionStage<LogContents> read(LogId id, long knownSequence);

  /** Counters and proofs; see {@link LogStatus}. */
  LogStatus status();
}
