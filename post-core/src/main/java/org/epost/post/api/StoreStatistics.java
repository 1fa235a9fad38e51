package org.epost.post.api;

/**
 * Counters of one node's message store since it started. Read on the node's loop.
 *
 * @param messagesStored messages whose store completed
 * @param blocksInserted block inserts that a majority of the replica set acknowledged
 * @param bytesInserted stored bytes of those blocks (one replica's worth)
 * @param insertRetries inserts and renewals repeated after a retryable failure
 * @param blocksFetched blocks fetched from the ring and verified (message, interior and leaf)
 * @param bytesFetched stored bytes of those blocks
 * @param corruptBlocks blocks that failed verification against their full id, key or format
 * @param blocksRenewed block leases a majority of the replica set extended
 * @param renewalFailures messages a sweep could not renew (left in the ledger for the next sweep)
 * @param sweeps renewal sweeps run
 * @param ledgerEntries messages the lease ledger holds now
 */
public record StoreStatistics(
    long messagesStored,
    long blocksInserted,
    long bytesInserted,
    long insertRetries,
    long blocksFetched,
    long bytesFetched,
    long corruptBlocks,
    long blocksRenewed,
    long renewalFailures,
    long sweeps,
    long ledgerEntries) {}
