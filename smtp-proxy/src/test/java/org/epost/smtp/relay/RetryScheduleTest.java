package org.epost.smtp.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class RetryScheduleTest {
  @Property(tries = 200)
  void delaysGrowExponentiallyWithinHalfJitterUpToTheCap(
      @ForAll @IntRange(min = 1, max = 60) int attempts, @ForAll long seed) {
    RetrySchedule schedule =
        new RetrySchedule(Duration.ofSeconds(60), Duration.ofHours(1), new SplittableRandom(seed));
    double full = Math.min(3_600_000.0, 60_000.0 * Math.pow(2, attempts - 1));
    long delay = schedule.delayAfter(attempts);
    assertTrue(
        delay <= full && delay >= full / 2 - 1,
        "attempt " + attempts + ": " + delay + " vs " + full);
  }
}
