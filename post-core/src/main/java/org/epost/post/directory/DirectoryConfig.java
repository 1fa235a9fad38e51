package org.epost.post.directory;

/**
 * Bounds and timings of a node's directory (ADR 0104). Every map the directory keeps is bounded by
 * one of these.
 *
 * @param cacheCapacity verified entries cached, at most (least recently used dropped first)
 * @param cacheTtlMillis how long a verified entry is answered from the cache before the ring is
 *     read again (monotonic time); revocation evicts at once whatever this says
 * @param negativeTtlMillis how long a "no such user" (said by a quorum) is remembered
 * @param negativeCapacity such answers remembered, at most
 * @param markCapacity high-water marks (address, newest sequence accepted) kept, at most
 * @param maxInFlight distinct addresses being read from the ring at once, at most (lookups of one
 *     address share one read); beyond it a lookup is unavailable (retryable)
 * @param attempts ring reads per lookup when PAST is unavailable (1 = no retry)
 * @param retryDelayMillis pause between those attempts
 * @param refreshMillis a sender check that finds a cached certificate naming another key reads the
 *     ring again only if the cached entry is older than this (a forger cannot make every one of its
 *     notifications cost a quorum read)
 * @param insertAttempts tries of a publish when PAST is unavailable or no majority stored it
 */
public record DirectoryConfig(
    int cacheCapacity,
    long cacheTtlMillis,
    long negativeTtlMillis,
    int negativeCapacity,
    int markCapacity,
    int maxInFlight,
    int attempts,
    long retryDelayMillis,
    long refreshMillis,
    int insertAttempts) {
  public DirectoryConfig {
    if (cacheCapacity < 1
        || negativeCapacity < 1
        || markCapacity < 1
        || maxInFlight < 1
        || attempts < 1
        || insertAttempts < 1
        || cacheTtlMillis < 0
        || negativeTtlMillis < 0
        || retryDelayMillis < 0
        || refreshMillis < 0) {
      throw new IllegalArgumentException("directory bounds must be positive: " + this);
    }
  }

  /**
   * 10,000 cached entries for 10 minutes, "no such user" for 30 s (1,000 of them), 100,000 marks,
   * 1,024 reads in flight, 2 attempts 500 ms apart, refresh on a key mismatch after 30 s, 4 insert
   * attempts.
   */
  public static DirectoryConfig defaults() {
    return new DirectoryConfig(10_000, 600_000, 30_000, 1_000, 100_000, 1_024, 2, 500, 30_000, 4);
  }

  /** The same with another cache size and time to live. */
  public DirectoryConfig withCache(int capacity, long ttlMillis) {
    return new DirectoryConfig(
        capacity,
        ttlMillis,
        negativeTtlMillis,
        negativeCapacity,
        markCapacity,
        maxInFlight,
        attempts,
        retryDelayMillis,
        refreshMillis,
        insertAttempts);
  }

  /** The same with another number of read attempts. */
  public DirectoryConfig withAttempts(int n, long delayMillis) {
    return new DirectoryConfig(
        cacheCapacity,
        cacheTtlMillis,
        negativeTtlMillis,
        negativeCapacity,
        markCapacity,
        maxInFlight,
        n,
        delayMillis,
        refreshMillis,
        insertAttempts);
  }
}
