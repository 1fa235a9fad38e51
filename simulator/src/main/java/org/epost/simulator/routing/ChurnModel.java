package org.epost.simulator.routing;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Session times of nodes: exponential with a given mean, drawn from a random stream of their own so
 * that the churn schedule depends only on the seed and not on what the lookups or the overlay do.
 */
final class ChurnModel {

  private final SplittableRandom random;
  private final double meanMicros;

  ChurnModel(Optional<Duration> sessionMean, SplittableRandom random) {
    this.random = random;
    this.meanMicros = sessionMean.map(d -> d.toNanos() / 1000.0).orElse(Double.POSITIVE_INFINITY);
  }

  boolean enabled() {
    return meanMicros != Double.POSITIVE_INFINITY;
  }

  /**
   * Length of the next session in microseconds, at least 1; {@link Long#MAX_VALUE} if churn is off.
   */
  long nextSessionMicros() {
    if (!enabled()) {
      return Long.MAX_VALUE;
    }
    return Math.max(1, Math.round(exponential(random, meanMicros)));
  }

  static double exponential(SplittableRandom rnd, double mean) {
    // 1 - nextDouble() is in (0, 1], so the logarithm is finite.
    return -mean * Math.log(1.0 - rnd.nextDouble());
  }
}
