package org.epost.smtp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The AUTH throttle's arithmetic and bounds, on a clock the test moves (docs/adr/0047). */
class AuthThrottleTest {
  private Instant now = Instant.parse("2026-12-07T10:00:00Z");

  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  private AuthThrottle throttle(int maxEntries) {
    return new AuthThrottle(
        clock,
        Duration.ofMillis(250),
        Duration.ofSeconds(8),
        10,
        Duration.ofMinutes(15),
        maxEntries);
  }

  @Test
  void theDelayDoublesPerFailureUpToTheCapForClientOrAccount() {
    AuthThrottle t = throttle(100);
    assertEquals(Duration.ZERO, t.delay("192.0.2.1", "alice"));
    long[] expected = {250, 500, 1000, 2000, 4000, 8000, 8000};
    for (long millis : expected) {
      t.failed("192.0.2.1", "alice");
      assertEquals(Duration.ofMillis(millis), t.delay("192.0.2.1", "alice"));
    }
    // The account's failures slow a fresh address too; the address's slow another account.
    assertEquals(Duration.ofSeconds(8), t.delay("192.0.2.99", "ALICE"));
    assertEquals(Duration.ofSeconds(8), t.delay("192.0.2.1", "bob"));
    assertEquals(Duration.ZERO, t.delay("192.0.2.99", "bob"));
  }

  @Test
  void aLockOutRefusesOnlyNonLoopbackAndEndsWithItsPeriod() {
    AuthThrottle t = throttle(100);
    for (int i = 0; i < 9; i++) {
      t.failed("192.0.2.1", "alice");
    }
    assertFalse(t.refused("alice", false));
    t.failed("192.0.2.2", "alice");
    assertTrue(t.refused("alice", false));
    assertFalse(t.refused("alice", true), "loopback is never locked out");
    now = now.plus(Duration.ofMinutes(15)).plusSeconds(1);
    assertFalse(t.refused("alice", false));
    assertEquals(Duration.ZERO, t.delay("192.0.2.1", "alice"), "failures forgotten");
  }

  @Test
  void aSuccessClearsTheClientButNotTheAccount() {
    AuthThrottle t = throttle(100);
    t.failed("192.0.2.1", "alice");
    t.failed("192.0.2.1", "alice");
    t.succeeded("192.0.2.1");
    assertEquals(Duration.ZERO, t.delay("192.0.2.1", "bob"));
    assertEquals(Duration.ofMillis(500), t.delay("192.0.2.1", "alice"));
  }

  @Test
  void bothTablesAreBounded() {
    AuthThrottle t = throttle(50);
    for (int i = 0; i < 10_000; i++) {
      t.failed("198.51.100." + (i % 250) + "/" + i, "user" + i + "x".repeat(1000));
    }
    assertEquals(100, t.trackedKeys());
  }
}
