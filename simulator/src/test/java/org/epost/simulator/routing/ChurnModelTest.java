package org.epost.simulator.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChurnModelTest {

  @Test
  void sessionsAreExponentialWithTheGivenMean() {
    ChurnModel churn = new ChurnModel(Optional.of(Duration.ofMinutes(10)), new SplittableRandom(3));
    int n = 100_000;
    double sum = 0;
    int longerThanMean = 0;
    for (int i = 0; i < n; i++) {
      long s = churn.nextSessionMicros();
      sum += s;
      if (s > 600_000_000L) {
        longerThanMean++;
      }
    }
    assertEquals(600e6, sum / n, 600e6 * 0.02, "mean within 2%");
    // P(X > mean) = 1/e for an exponential distribution
    assertEquals(Math.exp(-1), (double) longerThanMean / n, 0.01);
  }

  @Test
  void sameSeedSameSessionsOtherSeedOtherSessions() {
    long[] a = draw(11);
    long[] b = draw(11);
    long[] c = draw(12);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i]);
    }
    assertNotEquals(a[0], c[0]);
  }

  @Test
  void noChurnMeansNoDeparture() {
    ChurnModel quiet = new ChurnModel(Optional.empty(), new SplittableRandom(1));
    assertFalse(quiet.enabled());
    assertEquals(Long.MAX_VALUE, quiet.nextSessionMicros());
  }

  private static long[] draw(long seed) {
    ChurnModel churn =
        new ChurnModel(Optional.of(Duration.ofMinutes(2)), new SplittableRandom(seed));
    long[] out = new long[100];
    for (int i = 0; i < out.length; i++) {
      out[i] = churn.nextSessionMicros();
    }
    return out;
  }
}
