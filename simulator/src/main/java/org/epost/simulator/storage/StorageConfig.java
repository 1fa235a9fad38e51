package org.epost.simulator.storage;

import java.time.Duration;

/**
 * Parameters of a storage experiment (see {@link StorageCommand} for their meaning).
 *
 * @param offlineMean mean time a node stays offline before it comes back with its disk
 * @param correlatedFraction fraction of live nodes that fail at once at {@code correlatedAt} (0 =
 *     none)
 * @param lookupsPerSecond lookups of random acknowledged objects per simulated second, ring-wide
 * @param mutableObjects signed mutable objects among the objects, each updated once a simulated day
 * @param routingMaintenance period of Pastry's routing-table maintenance (row exchange and probes)
 * @param absenceTimeout how long PAST waits for an absent node before replacing its copies (ADR
 *     0080)
 * @param minReachable availability repair below this many online holders (ADR 0083; 0 = off)
 * @param reachableGrace how long an object may stay below {@code minReachable} online holders
 */
public record StorageConfig(
    int nodes,
    int objects,
    int objectSize,
    int replicas,
    Duration sessionMean,
    Duration offlineMean,
    double departuresPerDay,
    Duration days,
    double correlatedFraction,
    Duration correlatedAt,
    double byzantine,
    long seed,
    double lookupsPerSecond,
    int mutableObjects,
    Duration maintenance,
    Duration heartbeat,
    Duration routingMaintenance,
    Duration absenceTimeout,
    int minReachable,
    Duration reachableGrace) {

  public StorageConfig {
    if (nodes < 10 || nodes > 100_000) {
      throw new IllegalArgumentException("--nodes must be in 10..100000, got " + nodes);
    }
    if (objects < 1 || objects > 10_000_000) {
      throw new IllegalArgumentException("--objects must be in 1..10000000, got " + objects);
    }
    if (objectSize < 1 || objectSize > org.epost.overlay.past.api.PastObject.MAX_BYTES) {
      throw new IllegalArgumentException(
          "--object-size must be in 1.." + org.epost.overlay.past.api.PastObject.MAX_BYTES);
    }
    if (replicas < 1 || replicas > 12) {
      throw new IllegalArgumentException("--replicas must be in 1..12, got " + replicas);
    }
    if (!(departuresPerDay >= 0 && departuresPerDay <= 1)
        || !(byzantine >= 0 && byzantine < 0.5)
        || !(correlatedFraction >= 0 && correlatedFraction < 1)) {
      throw new IllegalArgumentException(
          "--departures-per-day in [0,1], --byzantine in [0,0.5), correlated fraction in [0,1)");
    }
    if (minReachable < 0
        || minReachable > 12
        || reachableGrace.isNegative()
        || reachableGrace.isZero()) {
      throw new IllegalArgumentException(
          "--min-reachable must be in 0..12 and --reachable-grace positive");
    }
    if (mutableObjects < 0 || mutableObjects > objects) {
      throw new IllegalArgumentException("--mutable-objects must be in 0..objects");
    }
  }
}
