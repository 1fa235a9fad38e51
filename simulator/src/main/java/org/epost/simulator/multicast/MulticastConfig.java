package org.epost.simulator.multicast;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Parameters of one multicast run.
 *
 * @param nodes ring size (replacements keep it constant under churn)
 * @param topics number of topics
 * @param subscribers subscribers per topic (a failed subscriber is replaced by a new random one)
 * @param publishPerSecond publications per simulated second over the whole ring (Poisson)
 * @param sessionMean mean session time (exponential), empty for a quiet ring
 * @param duration simulated time of the measurement
 * @param seed seed of the whole run
 * @param settle simulated time between the ring build and the subscriptions
 * @param joinInterval simulated time between two joins during the ring build
 * @param deadline a publication not delivered within this time after it was published counts as
 *     lost
 */
public record MulticastConfig(
    int nodes,
    int topics,
    int subscribers,
    double publishPerSecond,
    Optional<Duration> sessionMean,
    Duration duration,
    long seed,
    Duration settle,
    Duration joinInterval,
    Duration deadline) {

  public MulticastConfig {
    Objects.requireNonNull(sessionMean);
    if (nodes < 2 || nodes > 100_000) {
      throw new IllegalArgumentException("--nodes must be in 2..100000: " + nodes);
    }
    if (topics < 1 || topics > 100_000) {
      throw new IllegalArgumentException("--topics must be in 1..100000: " + topics);
    }
    if (subscribers < 1 || subscribers >= nodes) {
      throw new IllegalArgumentException(
          "--subscribers must be in 1.." + (nodes - 1) + ": " + subscribers);
    }
    if (!(publishPerSecond > 0) || publishPerSecond > 10_000) {
      throw new IllegalArgumentException(
          "--publish-per-second must be in (0, 10000]: " + publishPerSecond);
    }
    if (duration.isZero()
        || duration.isNegative()
        || deadline.isZero()
        || joinInterval.isNegative()
        || settle.isNegative()) {
      throw new IllegalArgumentException("--duration and --deadline must be positive");
    }
  }
}
