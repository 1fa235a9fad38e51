package org.epost.overlay.pastry;

import java.util.Arrays;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayApplication;

/**
 * Moves routed messages hop by hop. Each hop acknowledges to the previous one at once; a sender
 * that hears no acknowledgement within the ack timeout sends the message elsewhere, takes the hop
 * out of its routing table and, if it is a leaf-set member, has it probed (a late acknowledgement
 * is not a death: see {@link PastryNode#hopUnanswered}). The source additionally keeps each message
 * until the root's receipt arrives and routes it again if none does, so a lookup survives even the
 * failure of a node that has already acknowledged it (at-least-once: a retry may deliver twice).
 *
 * <p>Both waiting tables are bounded ({@link #MAX_PENDING}); when full, new messages are dropped
 * and counted. They shrink back to nothing when idle.
 */
final class Forwarder {
  static final int MAX_PENDING = 1024;
  static final int MAX_REROUTES = 8;
  static final int MAX_BUFFERED = 32;
  static final int RECEIPT_ATTEMPTS = 3;

  private final PastryNode node;
  private Pending[] hops; // waiting for the next hop's ACK
  private int hopCount;
  private Pending[] receipts; // at the source: waiting for the root's RECEIPT
  private int receiptCount;
  private Message.Routed[] buffered; // for this node while it is not ready yet
  private int bufferedCount;

  Forwarder(PastryNode node) {
    this.node = node;
  }

  private static final class Pending {
    final Message.Routed msg;
    final NodeHandle hop; // null for a receipt entry
    Cancellable timer;
    int attempts;

    Pending(Message.Routed msg, NodeHandle hop, int attempts) {
      this.msg = msg;
      this.hop = hop;
      this.attempts = attempts;
    }
  }

  /** route() at the source. */
  void routeFromHere(Id key, int appId, byte[] payload, NodeHandle hint) {
    long msgId = node.env.random().nextLong();
    Message.Routed m =
        new Message.Routed(WireFormat.ROUTE, msgId, key, node.self, 0, appId, payload, null);
    NodeHandle first = node.nextHop(key, null);
    if (!first.equals(node.self)) {
      if (receiptCount >= MAX_PENDING) {
        node.stats.dropped++;
        return;
      }
      Pending p = new Pending(m, null, 1);
      receipts = add(receipts, receiptCount++, p);
      p.timer = node.env.scheduler().schedule(receiptTimeout(), () -> receiptTimedOut(p));
    }
    if (hint != null && !hint.equals(node.self) && !first.equals(node.self)) {
      sendHop(m, hint, 0);
    } else {
      process(m);
    }
  }

  private long receiptTimeout() {
    return 8 * node.config.ackTimeoutMillis() + 4_000;
  }

  /**
   * A routed message arrived from {@code from}: acknowledge (unless it is a refused join), then
   * handle.
   */
  void received(Message.Routed m, NodeHandle from) {
    if (m.type == WireFormat.JOIN && !node.membership.admitJoin()) {
      return; // refused silently: a flood gets no answer at all
    }
    node.send(from, new Message.Ack(WireFormat.ACK, m.msgId, m.appId));
    if (m.hops >= MessageCodec.MAX_HOPS) {
      node.stats.dropped++;
      return;
    }
    process(m);
  }

  private void process(Message.Routed m) {
    boolean join = m.type == WireFormat.JOIN;
    NodeHandle next = node.nextHop(m.key, join ? m.key : null);
    if (next.equals(node.self)) {
      if (join) {
        node.membership.joinArrivedAtRoot(m);
      } else if (node.isReady()) {
        deliverHere(m);
      } else if (bufferedCount < MAX_BUFFERED) {
        buffered = add(buffered, bufferedCount++, m);
      } else {
        node.stats.dropped++;
      }
      return;
    }
    if (join) {
      m = node.membership.addJoinRows(m);
    } else {
      OverlayApplication app = node.application(m.appId);
      if (app != null && !app.forward(Delivery.of(m), next)) {
        sendReceipt(m);
        return;
      }
    }
    sendHop(m.withHops(m.hops + 1), next, 0);
  }

  private void deliverHere(Message.Routed m) {
    sendReceipt(m);
    OverlayApplication app = node.application(m.appId);
    if (app == null) {
      node.stats.dropped++;
      return;
    }
    Delivery d = Delivery.of(m);
    if (app.forward(d, node.self)) {
      app.deliver(d);
    }
  }

  private void sendReceipt(Message.Routed m) {
    if (m.source.equals(node.self)) {
      receipt(m.msgId);
    } else {
      node.send(m.source, new Message.Ack(WireFormat.RECEIPT, m.msgId, m.appId));
    }
  }

  private void sendHop(Message.Routed m, NodeHandle next, int attempts) {
    if (hopCount >= MAX_PENDING) {
      node.stats.dropped++;
      return;
    }
    Pending p = new Pending(m, next, attempts);
    hops = add(hops, hopCount++, p);
    p.timer = node.env.scheduler().schedule(node.config.ackTimeoutMillis(), () -> hopTimedOut(p));
    node.send(next, m);
  }

  void acknowledged(NodeHandle from, long msgId) {
    for (int i = 0; i < hopCount; i++) {
      Pending p = hops[i];
      if (p.msg.msgId == msgId && p.hop.address().equals(from.address())) {
        p.timer.cancel();
        removeHop(i);
        return;
      }
    }
  }

  private void hopTimedOut(Pending p) {
    int i = indexOf(hops, hopCount, p);
    if (i < 0) {
      return;
    }
    removeHop(i);
    node.stats.reroutes++;
    node.hopUnanswered(p.hop);
    if (p.attempts >= MAX_REROUTES) {
      node.stats.dropped++;
      return;
    }
    Message.Routed m = p.msg;
    NodeHandle next = node.nextHop(m.key, m.type == WireFormat.JOIN ? m.key : null, p.hop.id());
    if (next.equals(node.self) && node.leafSet.contains(p.hop.id())) {
      // Passing over the silent hop would make this node the root, but the hop may be the root,
      // slow rather than dead: try it again while its probe decides (a dead one leaves the leaf
      // set within three ack timeouts, and then this node is the root).
      next = p.hop;
    }
    if (next.equals(node.self)) {
      process(m.withHops(m.hops - 1));
    } else {
      sendHop(m, next, p.attempts + 1);
    }
  }

  void receipt(long msgId) {
    for (int i = 0; i < receiptCount; i++) {
      if (receipts[i].msg.msgId == msgId) {
        receipts[i].timer.cancel();
        receipts[i] = receipts[--receiptCount];
        receipts[receiptCount] = null;
        if (receiptCount == 0) {
          receipts = null;
        }
        return;
      }
    }
  }

  private void receiptTimedOut(Pending p) {
    int i = indexOf(receipts, receiptCount, p);
    if (i < 0) {
      return;
    }
    if (p.attempts >= RECEIPT_ATTEMPTS || !node.isReady()) {
      receipts[i] = receipts[--receiptCount];
      receipts[receiptCount] = null;
      node.stats.dropped++;
      return;
    }
    p.attempts++;
    p.timer = node.env.scheduler().schedule(receiptTimeout(), () -> receiptTimedOut(p));
    process(p.msg);
  }

  /** The node became ready: deliver what arrived for it while it was joining. */
  void flushBuffered() {
    Message.Routed[] b = buffered;
    int n = bufferedCount;
    buffered = null;
    bufferedCount = 0;
    for (int i = 0; i < n; i++) {
      process(b[i]);
    }
  }

  void stop() {
    for (int i = 0; i < hopCount; i++) {
      hops[i].timer.cancel();
    }
    for (int i = 0; i < receiptCount; i++) {
      receipts[i].timer.cancel();
    }
    hops = null;
    receipts = null;
    hopCount = 0;
    receiptCount = 0;
    buffered = null;
    bufferedCount = 0;
  }

  private void removeHop(int i) {
    hops[i] = hops[--hopCount];
    hops[hopCount] = null;
    if (hopCount == 0) {
      hops = null;
    }
  }

  private static int indexOf(Pending[] arr, int n, Pending p) {
    for (int i = 0; i < n; i++) {
      if (arr[i] == p) {
        return i;
      }
    }
    return -1;
  }

  private static <T> T[] add(T[] arr, int index, T value) {
    T[] a = arr;
    if (a == null) {
      @SuppressWarnings("unchecked")
      T[] fresh = (T[]) java.lang.reflect.Array.newInstance(value.getClass(), 4);
      a = fresh;
    } else if (index == a.length) {
      a = Arrays.copyOf(a, a.length * 2);
    }
    a[index] = value;
    return a;
  }
}
