package org.epost.post.directory;

/**
 * Timings of the distribution of revocation lists (ADR 0109).
 *
 * @param pullIntervalMillis a node reads the ring's list from PAST this often (plus jitter), to
 *     catch a push it missed
 * @param pullJitterMillis a random delay in [0, this) added to every interval (from the node's
 *     seeded random source), so that the nodes of a ring do not read at once
 * @param startWaitMillis at start, sender checks wait for the first read of the list at most this
 *     long after the node is ready; then they run with the list the node has (its disk's)
 * @param startAttempts reads of the list at start when PAST is unavailable
 * @param retryDelayMillis pause between those reads, and between a publish's insert attempts
 * @param insertAttempts tries of a publish's (or a repair's) insert
 */
public record RevocationConfig(
    long pullIntervalMillis,
    long pullJitterMillis,
    long startWaitMillis,
    int startAttempts,
    long retryDelayMillis,
    int insertAttempts) {
  public RevocationConfig {
    if (pullIntervalMillis < 1
        || pullJitterMillis < 1
        || startWaitMillis < 0
        || startAttempts < 1
        || retryDelayMillis < 0
        || insertAttempts < 1) {
      throw new IllegalArgumentException("revocation timings must be positive: " + this);
    }
  }

  /**
   * A read every 60 minutes plus up to 10 (jitter), sender checks held at most 1.5 s after start (a
   * returning recipient has its waiting mail within 5 s of joining: the hold is what a read of the
   * list takes on a healthy ring, not what a struggling one may), 3 reads at start, 4 insert
   * attempts 2 s apart.
   */
  public static RevocationConfig defaults() {
    return new RevocationConfig(3_600_000, 600_000, 1_500, 3, 2_000, 4);
  }

  /** The same with another pull interval and jitter. */
  public RevocationConfig withPull(long intervalMillis, long jitterMillis) {
    return new RevocationConfig(
        intervalMillis,
        jitterMillis,
        startWaitMillis,
        startAttempts,
        retryDelayMillis,
        insertAttempts);
  }
}
