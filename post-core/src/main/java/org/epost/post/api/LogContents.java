package org.epost.post.api;

import java.util.List;

/**
 * What a reader got from a log: either a snapshot (the application's state covering operations
 * {@code [0, snapshotSequence)}) followed by the operations after it, or, when the reader already
 * held a prefix, just the operations from {@code fromSequence}.
 *
 * <p>Operations are numbered from 0 in the order the writer appended them; {@code operations().get
 * (i)} is operation number {@code fromSequence + i}, and {@code fromSequence + operations().size()
 * == sequence()}. Operations are the application's opaque bytes.
 *
 * @param id the log
 * @param version the version of the signed head this was read from (grows by one per head write)
 * @param sequence the number of operations in the log at that head
 * @param snapshot the application's state at {@code fromSequence}, or null when the reader asked
 *     for operations it can apply to a prefix it holds (or the log has no snapshot yet)
 * @param fromSequence the number of the first operation in {@code operations}
 * @param operations the operations from {@code fromSequence} to {@code sequence}
 */
public record LogContents(
    LogId id,
    long version,
    long sequence,
    byte[] snapshot,
    long fromSequence,
    List<byte[]> operations) {
  public LogContents {
    operations = List.copyOf(operations);
    if (fromSequence < 0 || fromSequence + operations.size() != sequence) {
      throw new IllegalArgumentException(
          "operations from "
              + fromSequence
              + " ("
              + operations.size()
              + ") do not reach "
              + sequence);
    }
  }

  /** True when {@link #snapshot()} is present. */
  public boolean hasSnapshot() {
    return snapshot != null;
  }
}
