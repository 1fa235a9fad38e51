package org.epost.simulator.api;

import java.time.Duration;
import java.util.Optional;

/**
 * Parameters of one routing experiment: build a ring, let it settle, then measure lookups under
 * (optional) churn.
 *
 * @param nodes target ring size; churn replaces each departed node with a fresh one
 * @param sessionMean mean of the exponential session time, or empty for a quiet ring
 * @param settle simulated time between the end of the ring build and the start of measurement
 * @param duration simulated time of the measurement phase
 * @param lookupsPerSecond mean rate of lookups (Poisson arrivals) over the whole ring
 * @param seed seed of every random choice the experiment makes (ids, churn, lookups)
 * @param joinInterval simulated time between two joins while the ring is built
 * @param lookupTimeout a lookup not delivered within this simulated time is lost
 */
public record RoutingExperimentConfig(
    int nodes,
    Optional<Duration> sessionMean,
    Duration settle,
    Duration duration,
    double lookupsPerSecond,
    long seed,
    Duration joinInterval,
    Duration lookupTimeout) {

  /** Upper bound on ring size: ids, addresses and per-node state must fit one JVM heap. */
  public static final int MAX_NODES = 2_000_000;

  public RoutingExperimentConfig {
    if (nodes < 1 || nodes > MAX_NODES) {
      throw new IllegalArgumentException(
          "--nodes must be between 1 and " + MAX_NODES + ", got " + nodes);
    }
    sessionMean.ifPresent(m -> requirePositive("--session-mean", m));
    requireNonNegative("--settle", settle);
    requirePositive("--duration", duration);
    requireNonNegative("--join-interval", joinInterval);
    requirePositive("--lookup-timeout", lookupTimeout);
    if (!(lookupsPerSecond >= 0) || lookupsPerSecond > 1_000_000) {
      throw new IllegalArgumentException(
          "--lookups-per-second must be between 0 and 1000000, got " + lookupsPerSecond);
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  private static void requireNonNegative(String name, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + d);
    }
  }
}
