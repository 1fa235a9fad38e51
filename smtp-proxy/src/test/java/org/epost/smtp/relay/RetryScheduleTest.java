package org.epost.smtp.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RetryScheduleTest {
  /** 200 cases: every attempt count from 1 to 60 (below, at and above the cap), random seeds. */
  static Stream<Arguments> attempts() {
    SplittableRandom r = new SplittableRandom(20_260_008);
    return Stream.iterate(0, i -> i + 1)
        .limit(200)
        .map(i -> Arguments.of(i < 60 ? i + 1 : 1 + r.nextInt(60), r.nextLong()));
  }

  @ParameterizedTest
  @MethodSource("attempts")
  void delaysGrowExponentiallyWithinHalfJitterUpToTheCap(int attempts, long seed) {
    RetrySchedule schedule =
        new RetrySchedule(Duration.ofSeconds(60), Duration.ofHours(1), new SplittableRandom(seed));
    double full = Math.min(3_600_000.0, 60_000.0 * Math.pow(2, attempts - 1));
    long delay = schedule.delayAfter(attempts);
    assertTrue(
        delay <= full && delay >= full / 2 - 1,
        "attempt " + attempts + ": " + delay + " vs " + full);
  }
}
