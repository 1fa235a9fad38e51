package org.epost.post.api;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The single writer of one of this device's logs.
 *
 * <p>Appends coalesce: operations appended while a head write is in flight go together into the
 * next one, so a burst of flag changes costs one head write. Before every head write the writer
 * confirms the newest head from a read quorum of the head's replica set and never publishes a head
 * that competes with one it did not write itself (ADR 0102).
 *
 * <p>Threading: on the node's loop; stages complete on the loop.
 */
public interface LogWriter {
  /** The log this writes. */
  LogId id();

  /**
   * Confirms the head and catches up (through {@link LogApplication#catchUp}) if the ring holds
   * operations this node has not seen; completes with the log's sequence. Appending does this
   * implicitly; an application opens first to have its state before it appends.
   */
  CompletionStage<Long> open();

  /**
   * Appends one operation (at most {@code LogConfig.maxOperationBytes}); completes with its number
   * once a head that contains it is stored on a majority of the head's replica set. Fails with
   * {@link LogException.WriterConflict} (another session writes the log), {@link
   * LogException.Unavailable} (retryable; if the head write itself went unacknowledged the
   * operation may still appear in the log, so operations should be idempotent), {@link
   * LogException.Equivocated}, or {@link LogException.LimitExceeded} (too large, or too many
   * operations waiting).
   */
  CompletionStage<Long> append(byte[] operation);

  /** Appends several operations in order, in one head write; completes with the last's number. */
  CompletionStage<Long> append(List<byte[]> operations);

  /**
   * Ends this session's claim on the log cleanly: records in local state that this session stopped,
   * so that the node's next session takes over at once (without the quiet period a crash or a
   * copied data directory requires). Completes once durable. Appends after close fail.
   */
  CompletionStage<Void> close();
}
