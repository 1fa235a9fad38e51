package org.epost.overlay.past.api;

/**
 * Tuning of a PAST node. Defaults ({@link #defaults()}) are those the experiments use.
 *
 * @param replicas k, the number of live nodes numerically closest to an id that hold it (1..12)
 * @param insertTimeoutMillis time an insert waits for a majority of the replica set
 * @param fetchTimeoutMillis time a reader waits for one replica before trying the next
 * @param lookupAttempts routed lookup attempts before a lookup gives up (each then falls back to
 *     the replica set it learnt)
 * @param maintenanceMillis period of the background digest exchange and garbage collection
 * @param syncDelayMillis delay between a leaf-set change near this node and the digest exchange it
 *     triggers (changes within the delay are batched)
 * @param retainWidth a node keeps an object while it is among this many positions around the id in
 *     its leaf set (>= replicas); copies beyond k are what make a returning node cheap
 * @param maxPushesPerSync objects pushed in answer to one digest at most (the rest next round)
 * @param maxPendingOperations inserts, lookups and root-side operations in flight at most
 * @param maxLeaseMillis longest lease a storer grants, counted from its own wall clock: a later
 *     expiry of an immutable object is cut to the storer's wall time plus this
 * @param clockSkewToleranceMillis how far apart the wall clocks of honest nodes may be. Expiries
 *     are wall times (epoch milliseconds) read against each node's own clock: a storer keeps and
 *     accepts a copy until its clock passes the expiry plus this tolerance, and repairs and audits
 *     a copy only while the expiry is more than this tolerance ahead of its clock, so that no node
 *     repairs or audits a copy that a neighbour with a faster clock has already collected
 * @param absenceTimeoutMillis a neighbour unseen for this long is presumed gone for good and its
 *     copies are replaced; before that it is presumed to come back with its disk (ADR 0080)
 * @param minReachable availability repair (ADR 0083): when fewer than this many holders of an
 *     object are online for longer than {@code reachableGraceMillis}, its designated repairer adds
 *     one copy on the closest online non-holder within the retain width; 0 turns availability
 *     repair off
 * @param reachableGraceMillis how long (of the repairer's own online time) an object may have fewer
 *     than {@code minReachable} online holders before a copy is added
 */
public record PastConfig(
    int replicas,
    long insertTimeoutMillis,
    long fetchTimeoutMillis,
    int lookupAttempts,
    long maintenanceMillis,
    long syncDelayMillis,
    int retainWidth,
    int maxPushesPerSync,
    int maxPendingOperations,
    long maxLeaseMillis,
    long clockSkewToleranceMillis,
    long absenceTimeoutMillis,
    int minReachable,
    long reachableGraceMillis) {

  public PastConfig {
    if (replicas < 1 || replicas > 12) {
      throw new IllegalArgumentException("replicas must be in 1..12, got " + replicas);
    }
    if (retainWidth < replicas) {
      throw new IllegalArgumentException(
          "retainWidth " + retainWidth + " is below replicas " + replicas);
    }
    if (insertTimeoutMillis <= 0
        || fetchTimeoutMillis <= 0
        || maintenanceMillis <= 0
        || syncDelayMillis < 0
        || lookupAttempts < 1
        || maxPushesPerSync < 1
        || maxPendingOperations < 1
        || maxLeaseMillis <= 0
        || absenceTimeoutMillis <= 0
        || reachableGraceMillis <= 0) {
      throw new IllegalArgumentException("timeouts, periods and bounds must be positive");
    }
    if (clockSkewToleranceMillis < 0 || clockSkewToleranceMillis > maxLeaseMillis) {
      throw new IllegalArgumentException(
          "clockSkewToleranceMillis must be in 0..maxLeaseMillis, got " + clockSkewToleranceMillis);
    }
    if (minReachable < 0 || minReachable > retainWidth) {
      throw new IllegalArgumentException(
          "minReachable must be in 0..retainWidth (" + retainWidth + "), got " + minReachable);
    }
  }

  /**
   * k = 5, insert timeout 10 s, fetch timeout 2 s, 3 routed lookup attempts (5 s apart),
   * maintenance (digests, audits) every hour, sync delay 20 s, retain 12, leases of at most 400
   * days, clock skew tolerance 5 min (ADR 0092), absence timeout 8 h (ADR 0080), availability
   * repair below 3 online holders for 10 min (ADR 0083).
   */
  public static PastConfig defaults() {
    return new PastConfig(
        5,
        10_000,
        2_000,
        3,
        3_600_000,
        20_000,
        12,
        64,
        4096,
        400L * 24 * 3_600_000,
        5 * 60_000L,
        8 * 3_600_000L,
        3,
        10 * 60_000L);
  }

  /** The same configuration with {@code k} replicas (retain width at least k). */
  public PastConfig withReplicas(int k) {
    return new PastConfig(
        k,
        insertTimeoutMillis,
        fetchTimeoutMillis,
        lookupAttempts,
        maintenanceMillis,
        syncDelayMillis,
        Math.max(retainWidth, k),
        maxPushesPerSync,
        maxPendingOperations,
        maxLeaseMillis,
        clockSkewToleranceMillis,
        absenceTimeoutMillis,
        minReachable,
        reachableGraceMillis);
  }

  /** The same configuration with another maintenance period and sync delay. */
  public PastConfig withMaintenance(long periodMillis, long syncDelay) {
    return new PastConfig(
        replicas,
        insertTimeoutMillis,
        fetchTimeoutMillis,
        lookupAttempts,
        periodMillis,
        syncDelay,
        retainWidth,
        maxPushesPerSync,
        maxPendingOperations,
        maxLeaseMillis,
        clockSkewToleranceMillis,
        absenceTimeoutMillis,
        minReachable,
        reachableGraceMillis);
  }

  /** The same configuration with another absence timeout. */
  public PastConfig withAbsenceTimeout(long millis) {
    return new PastConfig(
        replicas,
        insertTimeoutMillis,
        fetchTimeoutMillis,
        lookupAttempts,
        maintenanceMillis,
        syncDelayMillis,
        retainWidth,
        maxPushesPerSync,
        maxPendingOperations,
        maxLeaseMillis,
        clockSkewToleranceMillis,
        millis,
        minReachable,
        reachableGraceMillis);
  }

  /**
   * The same configuration with another availability-repair threshold and grace (ADR 0083); {@code
   * minReachable} 0 turns availability repair off.
   */
  public PastConfig withAvailabilityRepair(int minReachable, long graceMillis) {
    return new PastConfig(
        replicas,
        insertTimeoutMillis,
        fetchTimeoutMillis,
        lookupAttempts,
        maintenanceMillis,
        syncDelayMillis,
        retainWidth,
        maxPushesPerSync,
        maxPendingOperations,
        maxLeaseMillis,
        clockSkewToleranceMillis,
        absenceTimeoutMillis,
        minReachable,
        graceMillis);
  }

  /** The same configuration with another clock skew tolerance (ADR 0092). */
  public PastConfig withClockSkewTolerance(long millis) {
    return new PastConfig(
        replicas,
        insertTimeoutMillis,
        fetchTimeoutMillis,
        lookupAttempts,
        maintenanceMillis,
        syncDelayMillis,
        retainWidth,
        maxPushesPerSync,
        maxPendingOperations,
        maxLeaseMillis,
        millis,
        absenceTimeoutMillis,
        minReachable,
        reachableGraceMillis);
  }

  /** Replicas that must store an object durably before an insert succeeds: a majority of k. */
  public int majority() {
    return replicas / 2 + 1;
  }
}
