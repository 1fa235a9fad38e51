package org.epost.overlay.node;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.RoutedMessage;

/**
 * Routes a probe to a key and learns which node delivered it and after how many hops: the root
 * answers the source with a direct message. The root's id is the authenticated sender of that
 * answer. Payload (version 1): kind (1: probe, 2: answer), sequence (8), and for an answer the hop
 * count (4). Runs on the node's loop only.
 */
final class ProbeApplication implements OverlayApplication {
  static final int APPLICATION_ID = 17;
  private static final int VERSION = 1;
  private static final int PROBE = 1;
  private static final int ANSWER = 2;
  /** Probes in flight at once; more are refused (the control port is the only source). */
  static final int MAX_PENDING = 1024;
  static final long TIMEOUT_MILLIS = 10_000;

  /** Where a probe ended. */
  record Delivery(Id root, int hops) {}

  private final OverlayNode node;
  private final AppEndpoint endpoint;
  private final Map<Long, Pending> pending = new HashMap<>();
  private long nextSeq;

  private record Pending(CompletableFuture<Delivery> result, Cancellable timeout) {}

  ProbeApplication(OverlayNode node) {
    this.node = node;
    this.endpoint = node.register(APPLICATION_ID, this);
  }

  /** Routes a probe to {@code key}; the future completes on the loop. */
  CompletableFuture<Delivery> probe(Id key) {
    CompletableFuture<Delivery> f = new CompletableFuture<>();
    if (!node.isReady()) {
      f.completeExceptionally(new IllegalStateException("the node has not joined the ring yet"));
      return f;
    }
    if (pending.size() >= MAX_PENDING) {
      f.completeExceptionally(new IllegalStateException("too many probes in flight (" + MAX_PENDING + ")"));
      return f;
    }
    long seq = nextSeq++;
    Cancellable t = node.environment().scheduler().schedule(TIMEOUT_MILLIS, () -> {
      Pending p = pending.remove(seq);
      if (p != null) {
        p.result.completeExceptionally(new IllegalStateException("no delivery within " + TIMEOUT_MILLIS + " ms"));
      }
    });
    pending.put(seq, new Pending(f, t));
    endpoint.route(key, ByteBuffer.allocate(10).put((byte) VERSION).put((byte) PROBE).putLong(seq).array(), null);
    return f;
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
        complete(seq, new Delivery(node.localHandle().id(), m.hops()));
      } else {
        endpoint.sendDirect(m.source(),
            ByteBuffer.allocate(14).put((byte) VERSION).put((byte) ANSWER).putLong(seq).putInt(m.hops()).array());
      }
    } else if (kind == ANSWER && m.key() == null && b.remaining() == 4) {
      complete(seq, new Delivery(m.source().id(), b.getInt()));
    }
  }

  private void complete(long seq, Delivery d) {
    Pending p = pending.remove(seq);
    if (p != null) {
      p.timeout.cancel();
      p.result.complete(d);
    }
  }
}
