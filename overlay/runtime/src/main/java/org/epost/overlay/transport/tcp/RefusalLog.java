package org.epost.overlay.transport.tcp;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The transport's warnings about refused and closed connections, rate-limited (ADR 0097): in each
 * interval the first event of each kind is logged in full, the rest are only counted, and at the
 * end of an interval in which anything was counted one summary line gives the counts (and the
 * addresses most refused). A flood of 1,000 connects a second thus costs a few lines per interval,
 * not one per connection. The counters of {@link TransportStatistics} still count every event.
 *
 * <p>Threads: any (I/O threads report, a timer on one of them flushes); every method takes this
 * object's lock. Size: at most {@link #TOP_ADDRESSES} addresses are counted by name per interval.
 */
final class RefusalLog {
  static final int TOP_ADDRESSES = 16;

  /** Why an inbound connection was closed at once, before TLS. */
  enum Refusal {
    ADDRESS_LIMIT("over the per-address handshake limit"),
    HANDSHAKE_BUDGET("over the handshake budget"),
    CONNECTION_CAP("over the connection cap"),
    EVICTED("handshaking connections closed to make room for newcomers");

    final String text;

    Refusal(String text) {
      this.text = text;
    }
  }

  private final Logger log;
  private final long intervalMillis;
  private final long[] refusals = new long[Refusal.values().length]; // guarded by this
  private final boolean[] loggedRefusal = new boolean[Refusal.values().length];
  private final Map<String, Long> byAddress = new LinkedHashMap<>();
  private long otherAddresses;
  private final Map<String, Long> suppressedCloses = new LinkedHashMap<>();

  RefusalLog(Logger log, long intervalMillis) {
    this.log = log;
    this.intervalMillis = intervalMillis;
  }

  /**
   * An inbound connection from {@code from} was closed at once for {@code why}; {@code detail} is
   * the full line's explanation (logged only for the interval's first of its kind).
   */
  void refused(Refusal why, InetAddress from, String detail) {
    boolean first;
    synchronized (this) {
      refusals[why.ordinal()]++;
      first = !loggedRefusal[why.ordinal()];
      loggedRefusal[why.ordinal()] = true;
      if (from != null && why != Refusal.EVICTED) {
        String a = from.getHostAddress();
        Long n = byAddress.get(a);
        if (n != null || byAddress.size() < TOP_ADDRESSES) {
          byAddress.put(a, n == null ? 1 : n + 1);
        } else {
          otherAddresses++;
        }
      }
    }
    if (first) {
      log.log(
          Level.WARNING,
          "refusing connection from {0}: {1}; further refusals are summarised every {2} s",
          from == null ? "?" : from.getHostAddress(),
          detail,
          intervalMillis / 1000);
    }
  }

  /**
   * A connection is being closed for a reason of {@code kind} (e.g. "handshake"): true if this is
   * the interval's first of that kind and the caller should log its line in full; false if it is
   * only counted for the summary.
   */
  synchronized boolean shouldLog(String kind) {
    // kind reads in the summary as "N more <kind>", e.g. "failed handshakes"
    Long n = suppressedCloses.get(kind);
    if (n == null) {
      suppressedCloses.put(kind, 0L);
      return true;
    }
    suppressedCloses.put(kind, n + 1);
    return false;
  }

  /** Ends the interval: one summary line if anything was counted beyond the lines logged. */
  void flush() {
    String line;
    synchronized (this) {
      line = summary();
      java.util.Arrays.fill(refusals, 0);
      java.util.Arrays.fill(loggedRefusal, false);
      byAddress.clear();
      otherAddresses = 0;
      suppressedCloses.clear();
    }
    if (line != null) {
      log.log(Level.WARNING, line);
    }
  }

  private String summary() {
    long total = 0;
    for (long n : refusals) {
      total += n;
    }
    long closes = 0;
    for (long n : suppressedCloses.values()) {
      closes += n;
    }
    if (total <= 1 && closes == 0) {
      return null; // at most the one line already logged
    }
    StringBuilder sb =
        new StringBuilder("in the last ").append(intervalMillis / 1000).append(" s:");
    if (total > 0) {
      sb.append(" inbound connections closed before TLS:");
      for (Refusal r : Refusal.values()) {
        if (refusals[r.ordinal()] > 0) {
          sb.append(' ').append(refusals[r.ordinal()]).append(' ').append(r.text).append(';');
        }
      }
      sb.setLength(sb.length() - 1); // the last ';'
      if (!byAddress.isEmpty()) {
        sb.append("; refused ones from");
      }
      byAddress.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(5)
          .forEach(
              e -> sb.append(' ').append(e.getKey()).append(" (").append(e.getValue()).append(')'));
      if (otherAddresses > 0) {
        sb.append(" and ").append(otherAddresses).append(" from other addresses");
      }
      sb.append('.');
    }
    if (closes > 0) {
      sb.append(total > 0 ? " Also" : "").append(" closed without a line each:");
      suppressedCloses.forEach(
          (k, n) -> {
            if (n > 0) {
              sb.append(' ').append(n).append(" more ").append(k).append(';');
            }
          });
    }
    if (sb.charAt(sb.length() - 1) == ';') {
      sb.setLength(sb.length() - 1);
    }
    return sb.toString();
  }
}
