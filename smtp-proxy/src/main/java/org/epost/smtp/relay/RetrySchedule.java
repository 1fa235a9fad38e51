package org.epost.smtp.relay;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: after attempt n (1-based) the next try waits {@code min(max,
 * first * 2^(n-1))}, shortened by a random fraction of up to one half so that many queued messages
 * do not retry in lock-step.
 *
 * <p>Not thread-safe (the random source); used by the relay worker thread only.
 */
final class RetrySchedule {
  private final Duration first;
  private final Duration max;
  private final RandomGenerator random;

  RetrySchedule(Duration first, Duration max, RandomGenerator random) {
    this.first = first;
    this.max = max;
    this.random = random;
  }

  /** Delay in milliseconds before the attempt following attempt number {@code attempts}. */
  long delayAfter(int attempts) {
    int doublings = Math.max(0, Math.min(attempts - 1, 40));
    double full = Math.min((double) max.toMillis(), first.toMillis() * Math.pow(2, doublings));
    double jittered = full * (1.0 - 0.5 * random.nextDouble());
    return Math.max(1, Math.round(jittered));
  }
}
