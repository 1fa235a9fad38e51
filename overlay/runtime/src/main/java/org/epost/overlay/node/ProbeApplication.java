package org.epost.overlay.node;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.RoutedMessage;

/**
 * Routes a probe to a key and learns which node delivered it, after how many hops and how long the
 * round trip took (routed there, answered straight back); and pings a node directly, the baseline a
 * route's latency is compared with (delay stretch). The root answers a probe with a direct message;
 * the root's id is the authenticated sender of that answer. Payload (version 1): kind (1: probe, 2:
 * answer, 3: ping, 4: pong), sequence (8), and for an answer the hop count (4). Round trips are
 * measured on this node's monotonic clock only, so no clock is shared between hosts. Runs on the
 * node's loop only.
 */
final class ProbeApplication implements OverlayApplication {
  static final int APPLICATION_ID = 17;
  private static final int VERSION = 1;
  private static final int PROBE = 1;
  private static final int ANSWER = 2;
  private static final int PING = 3;
  private static final int PONG = 4;

  /** Probes and pings in flight at once; more are refused (the control port is the only source). */
  static final int MAX_PENDING = 1024;

  static final long TIMEOUT_MILLIS = 10_000;

  /**
   * Where a probe ended: the root, the overlay hops, the root's handle (to ping it) and the round
   * trip (routed to the root, answered directly) in nanoseconds.
   */
  record Delivery(Id root, int hops, NodeHandle rootHandle, long roundTripNanos) {}

  private final OverlayNode node;
  private final AppEndpoint endpoint;
  private final Map<Long, Pending> pending = new HashMap<>();
  private long nextSeq;

  /** A probe ({@code probe} set) or a ping ({@code ping} set) waiting for its answer. */
  private record Pending(
      CompletableFuture<Delivery> probe,
      CompletableFuture<Long> ping,
      NodeHandle pinged,
      long startNanos,
      Cancellable timeout) {
    void fail(String why) {
      IllegalStateException e = new IllegalStateException(why);
      if (probe != null) {
        probe.completeExceptionally(e);
      } else {
        ping.completeExceptionally(e);
      }
    }
  }

  ProbeApplication(OverlayNode node) {
    this.node = node;
    this.endpoint = node.register(APPLICATION_ID, this);
  }

  /** Routes a probe to {@code key}; the future completes on the loop. */
  CompletableFuture<Delivery> probe(Id key) {
    CompletableFuture<Delivery> f = new CompletableFuture<>();
    Long seq = admit(f, null, null);
    if (seq != null) {
      endpoint.route(key, message(PROBE, seq), null);
    }
    return f;
  }

  /**
   * Sends a ping straight to {@code to} and completes with the round trip in nanoseconds (the
   * direct path a routed message is compared with); completes on the loop.
   */
  CompletableFuture<Long> ping(NodeHandle to) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    Long seq = admit(null, f, to);
    if (seq != null) {
      endpoint.sendDirect(to, message(PING, seq));
    }
    return f;
  }

  /** Registers a pending request and its timeout; null (and the future failed) if refused. */
  private Long admit(
      CompletableFuture<Delivery> probe, CompletableFuture<Long> ping, NodeHandle pinged) {
    Pending refused = new Pending(probe, ping, pinged, 0, null);
    if (!node.isReady()) {
      refused.fail("the node has not joined the ring yet");
      return null;
    }
    if (pending.size() >= MAX_PENDING) {
      refused.fail("too many probes in flight (" + MAX_PENDING + ")");
      return null;
    }
    long seq = nextSeq++;
    Cancellable t =
        node.environment()
            .scheduler()
            .schedule(
                TIMEOUT_MILLIS,
                () -> {
                  Pending p = pending.remove(seq);
                  if (p != null) {
                    p.fail("no answer within " + TIMEOUT_MILLIS + " ms");
                  }
                });
    pending.put(seq, new Pending(probe, ping, pinged, System.nanoTime(), t));
    return seq;
  }

  private static byte[] message(int kind, long seq) {
    return ByteBuffer.allocate(10).put((byte) VERSION).put((byte) kind).putLong(seq).array();
  }

  @Override
  public void deliver(RoutedMessage m) {
    ByteBuffer b = ByteBuffer.wrap(m.payload());
    if (b.remaining() < 10 || b.get() != VERSION) {
      return; // not ours to understand; the overlay already bounded it
    }
    int kind = b.get();
    long seq = b.getLong();
    if (kind == PROBE && m.key() != null) {
      if (m.source().equals(node.localHandle())) {
        complete(seq, node.localHandle(), m.hops(), false);
      } else {
        endpoint.sendDirect(
            m.source(),
            ByteBuffer.allocate(14)
                .put((byte) VERSION)
                .put((byte) ANSWER)
                .putLong(seq)
                .putInt(m.hops())
                .array());
      }
    } else if (kind == ANSWER && m.key() == null && b.remaining() == 4) {
      complete(seq, m.source(), b.getInt(), false);
    } else if (kind == PING && m.key() == null && b.remaining() == 0) {
      endpoint.sendDirect(m.source(), message(PONG, seq));
    } else if (kind == PONG && m.key() == null && b.remaining() == 0) {
      complete(seq, m.source(), 0, true);
    }
  }

  private void complete(long seq, NodeHandle from, int hops, boolean pong) {
    Pending p = pending.get(seq);
    if (p == null
        || (pong ? p.ping == null || !p.pinged.id().equals(from.id()) : p.probe == null)) {
      return; // unknown, timed out, the wrong kind, or a pong from a node we did not ping: ignore
    }
    pending.remove(seq);
    p.timeout.cancel();
    long rtt = System.nanoTime() - p.startNanos;
    if (pong) {
      p.ping.complete(rtt);
    } else {
      p.probe.complete(new Delivery(from.id(), hops, from, rtt));
    }
  }
}
