package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.epost.overlay.api.Clock;
import org.junit.jupiter.api.Test;

/** A simulated node's two clocks: monotonic from zero, wall time from the virtual epoch. */
class WallClockTest {
  @Test
  void wallTimeIsTheVirtualEpochPlusVirtualTime() {
    Simulation sim = Simulation.builder().seed(1).build();
    Clock clock = sim.createRing().overlay().environment().clock();
    sim.runFor(1_500);
    assertEquals(1_500, clock.nowMillis());
    assertEquals(Instant.parse("2026-01-01T00:00:01.500Z"), clock.wallInstant());
    assertEquals(Simulation.DEFAULT_EPOCH_MILLIS + 1_500, clock.wallMillis());

    long epoch = Instant.parse("2030-06-01T12:00:00Z").toEpochMilli();
    Simulation later = Simulation.builder().seed(1).epochMillis(epoch).build();
    Clock restarted = later.createRing().overlay().environment().clock();
    assertEquals(0, restarted.nowMillis());
    assertEquals(Instant.ofEpochMilli(epoch), restarted.wallInstant());
  }
}
