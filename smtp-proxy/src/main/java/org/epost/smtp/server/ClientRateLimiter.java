package org.epost.smtp.server;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token bucket per client address: {@code perMinute} messages per minute with a burst of the same
 * size. The table keeps at most {@code maxClients} addresses; the least recently seen is dropped
 * first, so a flood of addresses cannot grow memory (a dropped address starts with a full bucket,
 * which only helps a client that had been quiet longest).
 *
 * <p>Thread-safe: one lock around the table.
 */
final class ClientRateLimiter {
  private final Clock clock;
  private final double perMinute;
  private final Map<String, double[]> buckets;

  ClientRateLimiter(Clock clock, int perMinute, int maxClients) {
    this.clock = clock;
    this.perMinute = perMinute;
    this.buckets =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > maxClients;
          }
        };
  }

  /** Takes one token for {@code client}; false if its bucket is empty. */
  synchronized boolean tryAcquire(String client) {
    long now = clock.millis();
    double[] bucket = buckets.computeIfAbsent(client, k -> new double[] {perMinute, now});
    double refill = (now - bucket[1]) * perMinute / 60_000.0;
    bucket[0] = Math.min(perMinute, bucket[0] + Math.max(0, refill));
    bucket[1] = now;
    if (bucket[0] < 1) {
      return false;
    }
    bucket[0] -= 1;
    return true;
  }

  /** How many addresses are tracked now (for tests of the bound). */
  synchronized int trackedClients() {
    return buckets.size();
  }
}
