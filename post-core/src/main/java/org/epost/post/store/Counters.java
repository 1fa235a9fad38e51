package org.epost.post.store;

import org.epost.post.api.StoreStatistics;

/** The store's mutable counters; loop only. */
final class Counters {
  long messagesStored;
  long blocksInserted;
  long bytesInserted;
  long insertRetries;
  long blocksFetched;
  long bytesFetched;
  long corruptBlocks;
  long blocksRenewed;
  long renewalFailures;
  long sweeps;

  StoreStatistics snapshot(long ledgerEntries) {
    return new StoreStatistics(
        messagesStored,
        blocksInserted,
        bytesInserted,
        insertRetries,
        blocksFetched,
        bytesFetched,
        corruptBlocks,
        blocksRenewed,
        renewalFailures,
        sweeps,
        ledgerEntries);
  }
}
