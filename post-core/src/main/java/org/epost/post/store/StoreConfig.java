package org.epost.post.store;

/**
 * Tuning of a node's message store (ADR 0100, ADR 0101). {@link #defaults()} are the product's.
 *
 * @param maxMessageBytes largest message accepted (sum of its parts' bytes)
 * @param leaseMillis lease every block is inserted and renewed with (PAST caps leases at 400 days)
 * @param renewWithinMillis a held message is renewed once its known expiry is this close
 * @param sweepPeriodMillis period of the renewal sweep
 * @param sweepJitterMillis each sweep starts up to this much later than its period says (spreads
 *     the ring's sweeps), and the first one up to this much after start
 * @param maxBlocksPerSweep most block renewals one sweep starts (the rest wait for the next one)
 * @param insertWindow block inserts in flight per message being stored
 * @param prefetch blocks a reader fetches ahead
 * @param attempts tries of one insert, lookup or renewal before a retryable failure is reported
 * @param retryBackoffMillis wait before the second try, doubled for each further one
 * @param maxLedgerEntries most messages the lease ledger holds
 */
public record StoreConfig(
    long maxMessageBytes,
    long leaseMillis,
    long renewWithinMillis,
    long sweepPeriodMillis,
    long sweepJitterMillis,
    int maxBlocksPerSweep,
    int insertWindow,
    int prefetch,
    int attempts,
    long retryBackoffMillis,
    int maxLedgerEntries) {
  static final long DAY = 24L * 3_600_000;

  public StoreConfig {
    if (maxMessageBytes < 1
        || leaseMillis <= 0
        || renewWithinMillis <= 0
        || renewWithinMillis >= leaseMillis
        || sweepPeriodMillis <= 0
        || sweepJitterMillis < 0
        || maxBlocksPerSweep < 1
        || insertWindow < 1
        || prefetch < 1
        || attempts < 1
        || retryBackoffMillis < 0
        || maxLedgerEntries < 1) {
      throw new IllegalArgumentException(
          "store bounds must be positive and renewWithinMillis below leaseMillis");
    }
  }

  /**
   * 64 MiB messages, leases of 390 days renewed once within 210 days of their end, a daily sweep
   * jittered by up to an hour renewing at most 100,000 blocks, 8 inserts in flight, 4 blocks
   * prefetched, 4 tries 1 s apart doubling, a ledger of at most 1,000,000 messages.
   */
  public static StoreConfig defaults() {
    return new StoreConfig(
        64L << 20, 390 * DAY, 210 * DAY, DAY, 3_600_000L, 100_000, 8, 4, 4, 1_000, 1_000_000);
  }

  /** The same with another maximum message size. */
  public StoreConfig withMaxMessageBytes(long bytes) {
    return new StoreConfig(
        bytes,
        leaseMillis,
        renewWithinMillis,
        sweepPeriodMillis,
        sweepJitterMillis,
        maxBlocksPerSweep,
        insertWindow,
        prefetch,
        attempts,
        retryBackoffMillis,
        maxLedgerEntries);
  }

  /** The same with another ledger bound. */
  public StoreConfig withMaxLedgerEntries(int entries) {
    return new StoreConfig(
        maxMessageBytes,
        leaseMillis,
        renewWithinMillis,
        sweepPeriodMillis,
        sweepJitterMillis,
        maxBlocksPerSweep,
        insertWindow,
        prefetch,
        attempts,
        retryBackoffMillis,
        entries);
  }
}
