package org.epost.overlay.transport.tcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The budget of inbound connections that have not yet finished TLS and hello (ADR 0097): at most
 * {@code max} at once, and at most {@code perAddress} from one address (IPv4: the address; IPv6:
 * its /64 prefix, which one host usually holds whole). These connections count against nothing
 * else, so a flood of silent connects fills this budget and no more: established, identified peers
 * and the node's own dials are never refused or evicted for them.
 *
 * <p>When the budget is full, a newcomer takes the place of the oldest <em>silent</em> connection
 * (one that has not sent a byte: a genuine client sends its TLS ClientHello together with the end
 * of the TCP handshake, a connect flood sends nothing); if every handshaking connection has spoken,
 * it takes the place of the oldest if that one has had at least {@link #GRACE_NANOS} (a genuine TLS
 * 1.3 handshake plus hello takes a few round trips); otherwise the newcomer is refused. A silent
 * flood from any number of addresses thus never keeps out a client that speaks TLS, and a flood
 * that does speak cannot cut a handshake short of its grace.
 *
 * <p>Threads: called from I/O threads; every method takes this object's lock, held for a few map
 * operations. Size: at most {@code max} connections and {@code max} address entries.
 */
final class HandshakeAdmission {
  /** The least time a handshaking connection is given before a newcomer may take its place. */
  static final long GRACE_NANOS = 1_000_000_000L;

  enum Verdict {
    ADMITTED,
    OVER_ADDRESS_LIMIT,
    OVER_BUDGET
  }

  /** The verdict and, if a stale handshake made room, the connection to close. */
  record Result(Verdict verdict, Connection evicted) {}

  private final int max;
  private final int perAddress;
  private final LinkedHashSet<Connection> silent = new LinkedHashSet<>(); // arrival order
  private final LinkedHashSet<Connection> speaking = new LinkedHashSet<>(); // order of first byte
  private final Map<ByteBuffer, Integer> byAddress = new HashMap<>();

  HandshakeAdmission(int max, int perAddress) {
    this.max = max;
    this.perAddress = perAddress;
  }

  /** The key a connection from {@code from} is counted under: IPv4 address, or IPv6 /64. */
  static ByteBuffer addressKey(InetAddress from) {
    byte[] b = from.getAddress();
    return ByteBuffer.wrap(from instanceof Inet4Address ? b : Arrays.copyOf(b, 8));
  }

  /**
   * Counts {@code conn} (arrived from {@code from} at {@code nowNanos}) as handshaking if the
   * budget allows; the caller closes {@link Result#evicted} and refuses {@code conn} unless
   * admitted.
   */
  synchronized Result admit(Connection conn, InetAddress from, long nowNanos) {
    ByteBuffer key = addressKey(from);
    if (byAddress.getOrDefault(key, 0) >= perAddress) {
      return new Result(Verdict.OVER_ADDRESS_LIMIT, null);
    }
    Connection evicted = null;
    if (silent.size() + speaking.size() >= max) {
      Iterator<Connection> oldest = (silent.isEmpty() ? speaking : silent).iterator();
      Connection o = oldest.next();
      if (silent.isEmpty() && nowNanos - o.acceptedNanos < GRACE_NANOS) {
        return new Result(Verdict.OVER_BUDGET, null);
      }
      oldest.remove();
      forget(o.admissionKey);
      evicted = o;
    }
    conn.acceptedNanos = nowNanos;
    conn.admissionKey = key;
    silent.add(conn);
    byAddress.merge(key, 1, Integer::sum);
    return new Result(Verdict.ADMITTED, evicted);
  }

  /** {@code conn} sent its first bytes: it is no longer among the first to give way. */
  synchronized void spoke(Connection conn) {
    if (silent.remove(conn)) {
      speaking.add(conn);
    }
  }

  /** {@code conn} finished its handshake and hello, or closed: it no longer counts. Idempotent. */
  synchronized void release(Connection conn) {
    if (silent.remove(conn) || speaking.remove(conn)) {
      forget(conn.admissionKey);
    }
  }

  private void forget(ByteBuffer key) {
    byAddress.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
  }

  /** Inbound connections handshaking now. */
  synchronized int size() {
    return silent.size() + speaking.size();
  }
}
