package org.epost.post.log;

/** The service's counters; on the loop only. */
final class Counters {
  long headWrites;
  long blockWrites;
  long snapshotWrites;
  long objectsFetched;
  long rollbacksRejected;
  long equivocationsProven;
  long corruptionsDetected;
  long writerConflicts;
}
