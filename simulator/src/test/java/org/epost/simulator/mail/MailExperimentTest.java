package org.epost.simulator.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epost.simulator.api.ProgressListener;
import org.junit.jupiter.api.Test;

/**
 * Small mail runs over the real Pastry, PAST, Scribe and POST code on every node: churn, a
 * correlated failure and byzantine storers lose no acknowledged delivery and return no corrupted
 * message; the same seed gives the same summary.
 */
class MailExperimentTest {

  private static MailConfig config(long seed) {
    return new MailConfig(
        24,
        Duration.ofMinutes(80),
        60,
        List.of(70, 25, 4, 1),
        100_000,
        600_000,
        4,
        0.3,
        Duration.ofMinutes(30),
        Duration.ofMinutes(5),
        0.5,
        0.3,
        Duration.ofMinutes(40),
        0.2,
        5,
        seed,
        Duration.ofMinutes(10),
        6);
  }

  private static Map<String, Object> run(long seed) {
    Map<String, Object> f =
        new LinkedHashMap<>(new MailExperiment(config(seed), ProgressListener.NONE).run().fields());
    f.remove("wall_seconds");
    return f;
  }

  @Test
  void churnFailureAndByzantineStorersLoseNothingAcknowledgedAndTheSameSeedReplays() {
    Map<String, Object> a = run(7);
    assertTrue(((Number) a.get("deliveries_acknowledged")).longValue() > 50, a.toString());
    assertEquals(0L, ((Number) a.get("deliveries_lost")).longValue(), a.toString());
    assertEquals(0L, ((Number) a.get("messages_verified_corrupt")).longValue(), a.toString());
    assertEquals(0L, ((Number) a.get("inbox_entries_missing")).longValue(), a.toString());
    assertTrue(((Number) a.get("messages_verified")).longValue() > 0, a.toString());
    assertTrue(((Number) a.get("correlated_failures")).longValue() > 0, a.toString());
    assertEquals(a, run(7), "same seed, same summary");
  }
}
