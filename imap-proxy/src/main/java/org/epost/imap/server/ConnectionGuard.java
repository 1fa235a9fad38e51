package org.epost.imap.server;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.epost.imap.api.ConnectionLimits;

/**
 * Server-wide accounting of what clients hold (ADR 0037): open connections in all and per client
 * address, bytes held in unfinished commands by unauthenticated connections, and recent failed
 * logins per address. Thread-safe; every map is bounded (per-address connection counts by the
 * connection cap, failure records by {@link #MAX_FAILURE_ADDRESSES}).
 */
final class ConnectionGuard {
  /** Addresses whose failed logins are remembered; the least recently failing are forgotten. */
  static final int MAX_FAILURE_ADDRESSES = 4096;

  private final ConnectionLimits limits;
  private final int maxConnections;
  private final LongSupplier nanoTime;
  private final Map<InetAddress, Integer> perAddress = new HashMap<>();
  private int open;
  private final AtomicLong preLoginBytes = new AtomicLong();
  private final Map<InetAddress, Failures> failures =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Failures> eldest) {
          return size() > MAX_FAILURE_ADDRESSES;
        }
      };

  private static final class Failures {
    int count;
    long lastNanos;
  }

  ConnectionGuard(ConnectionLimits limits, int maxConnections, LongSupplier nanoTime) {
    this.limits = limits;
    this.maxConnections = maxConnections;
    this.nanoTime = nanoTime;
  }

  ConnectionLimits limits() {
    return limits;
  }

  int maxConnections() {
    return maxConnections;
  }

  /**
   * Counts a new connection, or says why it is refused ({@code null} when admitted). An admitted
   * connection must be {@link #release released} exactly once.
   */
  synchronized String admit(InetAddress address) {
    if (open >= maxConnections) {
      return "Too many connections (limit " + maxConnections + "); try again later";
    }
    int mine = perAddress.getOrDefault(address, 0);
    if (mine >= limits.maxConnectionsPerAddress()) {
      return "Too many connections from your address (limit "
          + limits.maxConnectionsPerAddress()
          + "); try again later";
    }
    open++;
    perAddress.put(address, mine + 1);
    return null;
  }

  synchronized void release(InetAddress address) {
    open--;
    int mine = perAddress.getOrDefault(address, 1) - 1;
    if (mine <= 0) {
      perAddress.remove(address);
    } else {
      perAddress.put(address, mine);
    }
  }

  synchronized int openConnections() {
    return open;
  }

  /**
   * Adds {@code delta} bytes (may be negative) to what unauthenticated connections hold; a positive
   * delta that would pass the total is not taken and {@code false} returned.
   */
  boolean chargePreLogin(long delta) {
    if (delta <= 0) {
      preLoginBytes.addAndGet(delta);
      return true;
    }
    while (true) {
      long now = preLoginBytes.get();
      if (now + delta > limits.preLoginBytesTotal()) {
        return false;
      }
      if (preLoginBytes.compareAndSet(now, now + delta)) {
        return true;
      }
    }
  }

  long preLoginBytes() {
    return preLoginBytes.get();
  }

  /** Failed logins from this address still remembered (forgotten after a quiet period). */
  synchronized int recentFailures(InetAddress address) {
    Failures f = failures.get(address);
    if (f == null) {
      return 0;
    }
    if (nanoTime.getAsLong() - f.lastNanos > limits.authFailureMemory().toNanos()) {
      failures.remove(address);
      return 0;
    }
    return f.count;
  }

  /** Records a failed login; returns the address's remembered failures including this one. */
  synchronized int recordFailure(InetAddress address) {
    int before = recentFailures(address);
    Failures f = failures.computeIfAbsent(address, a -> new Failures());
    f.count = Math.min(before + 1, 1 << 20);
    f.lastNanos = nanoTime.getAsLong();
    return f.count;
  }

  /**
   * How long to hold back the answer to a failed login: {@code authFailureDelay} doubled for every
   * earlier failure on the connection or from the address (whichever is more), at most {@code
   * maxAuthFailureDelay}.
   */
  long failureDelayMillis(int connectionFailures, int addressFailures) {
    int n = Math.max(connectionFailures, addressFailures);
    long base = limits.authFailureDelay().toMillis();
    long max = limits.maxAuthFailureDelay().toMillis();
    long d = base;
    for (int i = 1; i < n && d < max; i++) {
      d *= 2;
    }
    return Math.min(d, max);
  }
}
