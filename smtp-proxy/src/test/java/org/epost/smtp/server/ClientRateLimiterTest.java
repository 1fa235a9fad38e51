package org.epost.smtp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ClientRateLimiterTest {
  private static final class SettableClock extends Clock {
    long millis;

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
      return Instant.ofEpochMilli(millis);
    }
  }

  @Test
  void tokensRefillWithTime() {
    SettableClock clock = new SettableClock();
    ClientRateLimiter limiter = new ClientRateLimiter(clock, 2, 10);
    assertTrue(limiter.tryAcquire("192.0.2.1"));
    assertTrue(limiter.tryAcquire("192.0.2.1"));
    assertFalse(limiter.tryAcquire("192.0.2.1"));
    assertTrue(limiter.tryAcquire("192.0.2.2"), "another client has its own bucket");
    clock.millis += 30_000;
    assertTrue(limiter.tryAcquire("192.0.2.1"), "one token back after half a minute");
    assertFalse(limiter.tryAcquire("192.0.2.1"));
  }

  @Test
  void aFloodOfAddressesCannotGrowTheTable() {
    ClientRateLimiter limiter = new ClientRateLimiter(new SettableClock(), 5, 1000);
    for (int i = 0; i < 100_000; i++) {
      limiter.tryAcquire("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
    }
    assertEquals(1000, limiter.trackedClients());
  }
}
