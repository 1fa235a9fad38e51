package org.epost.simulator.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.epost.simulator.api.MinuteSample;
import org.epost.simulator.api.ProgressListener;
import org.epost.simulator.api.RoutingExperimentConfig;
import org.epost.simulator.api.RoutingSummary;
import org.epost.simulator.testing.IdealRing;
import org.junit.jupiter.api.Test;

/** The experiment's bookkeeping, over a ring whose behaviour is known exactly (test fixture). */
class RoutingExperimentTest {

  private static RoutingExperimentConfig config(int nodes, Optional<Duration> session, long seed) {
    return new RoutingExperimentConfig(
        nodes,
        session,
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        10,
        seed,
        Duration.ofMillis(100),
        Duration.ofSeconds(30));
  }

  private static RoutingSummary run(IdealRing ring, RoutingExperimentConfig config) {
    return new RoutingExperiment(ring, config, ProgressListener.NONE, () -> 1_000_000L, 0).run();
  }

  @Test
  void quietRingDeliversEveryLookupToTheClosestNodeAndCountsTrafficPerNode() {
    RoutingSummary s = run(new IdealRing(), config(50, Optional.empty(), 5));
    // Poisson arrivals at 10/s over 300 s: 3000 expected, well within 4 standard deviations
    assertTrue(Math.abs(s.lookups() - 3000) < 4 * Math.sqrt(3000), "lookups " + s.lookups());
    assertEquals(s.lookups(), s.delivered());
    assertEquals(0, s.lost());
    assertEquals(0, s.wrongRoot());
    assertEquals(50, s.liveNodesEnd());
    assertEquals(0, s.ringBuildUnjoined());
    // the fixture takes 2 hops (0 when the source is the root) at twice the direct latency
    assertTrue(s.hopsAvg() > 1.9 && s.hopsAvg() <= 2.0, "hops " + s.hopsAvg());
    assertEquals(2.0, s.rdpRatioOfMeans(), 0.001);
    assertEquals(2.0, s.rdpMedian(), 0.01);
    // one heartbeat per node every 10 s
    assertEquals(0.1, s.controlMsgsPerNodePerS(), 0.005);
    assertEquals(4.0, s.controlBytesPerNodePerS(), 0.2);
    assertTrue(s.bytesPerNodePerS() > s.controlBytesPerNodePerS());
    assertEquals(5, s.series().size());
    long perMinute = s.series().stream().mapToLong(MinuteSample::lookups).sum();
    assertEquals(s.lookups(), perMinute);
    assertEquals(20_000.0, s.toFields().get("heap_bytes_per_node"));
  }

  @Test
  void churnKeepsTheRingSizeAndSameSeedGivesTheSameSchedule() {
    RoutingExperimentConfig c = config(40, Optional.of(Duration.ofMinutes(2)), 9);
    IdealRing first = new IdealRing();
    IdealRing second = new IdealRing();
    RoutingSummary a = run(first, c);
    RoutingSummary b = run(second, c);
    assertEquals(first.trace(), second.trace());
    assertEquals(a.toFields().get("lost"), b.toFields().get("lost"));
    // 40 nodes, mean session 2 min, 6.5 simulated minutes of churn: about 130 failures
    assertTrue(a.failures() > 80 && a.failures() < 190, "failures " + a.failures());
    assertEquals(a.failures() + 40, a.joinsStarted());
    assertTrue(a.liveNodesEnd() >= 35 && a.liveNodesEnd() <= 40, "live " + a.liveNodesEnd());
    // lookups whose root fails in flight are dropped by the fixture: counted lost, never delivered
    assertTrue(a.lost() > 0);
    assertEquals(a.lookups(), a.delivered() + a.lost());

    IdealRing other = new IdealRing();
    run(other, config(40, Optional.of(Duration.ofMinutes(2)), 10));
    assertNotEquals(first.trace(), other.trace());
  }

  @Test
  void churnScheduleDoesNotDependOnTheLookupRate() {
    IdealRing slow = new IdealRing();
    IdealRing fast = new IdealRing();
    RoutingExperimentConfig c = config(30, Optional.of(Duration.ofMinutes(3)), 4);
    run(slow, c);
    run(
        fast,
        new RoutingExperimentConfig(
            30,
            c.sessionMean(),
            c.settle(),
            c.duration(),
            100,
            4,
            c.joinInterval(),
            c.lookupTimeout()));
    assertEquals(slow.trace(), fast.trace());
  }
}
