package org.epost.post.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.junit.jupiter.api.Test;

/** Online recipients: delivery latency over Scribe, receipts, and the pending store drained. */
class OnlineDeliveryTest {
  @Test
  void onlineRecipientsGetNotificationsInAboutASecondAndSendersSeeDelivered() {
    NotifyRing ring = new NotifyRing(11, NotifyConfig.defaults()).build(100);
    List<NotifyRing.User> users = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      users.add(ring.user("user" + i + "@ring").on(ring.nodes.get(i * 3)));
    }
    ring.sim.runFor(10_000); // subscriptions attach
    Map<NotificationId, Long> sentAt = new HashMap<>();
    Map<NotificationId, NotifyRing.User> to = new HashMap<>();
    List<CompletionStage<NotificationId>> stages = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      NotifyRing.User from = users.get(ring.sim.random().nextInt(users.size()));
      NotifyRing.User rcpt = users.get(ring.sim.random().nextInt(users.size()));
      long t = ring.sim.nowMillis();
      CompletionStage<NotificationId> s =
          from.service.send(rcpt.certificate, ("ref-" + i).getBytes(), new byte[200]);
      s.thenAccept(
          id -> {
            sentAt.put(id, t);
            to.put(id, rcpt);
          });
      stages.add(s);
      ring.sim.runFor(250);
    }
    for (CompletionStage<NotificationId> s : stages) {
      ring.await(s, 60_000);
    }
    ring.sim.runFor(20_000);
    List<Long> latencies = new ArrayList<>();
    for (Map.Entry<NotificationId, Long> e : sentAt.entrySet()) {
      Long at = to.get(e.getKey()).receivedAt.get(e.getKey());
      assertTrue(at != null, "delivered: " + e.getKey());
      latencies.add(at - e.getValue());
    }
    int received = 0;
    for (NotifyRing.User u : users) {
      received += u.received.size();
    }
    assertEquals(200, received, "each notification delivered exactly once");
    long p50 = NotifyRing.percentile(latencies, 0.50);
    long p95 = NotifyRing.percentile(latencies, 0.95);
    long p99 = NotifyRing.percentile(latencies, 0.99);
    System.out.printf(
        "post-core notification: online delivery, 100 nodes, 30 users, 200 notifications:"
            + " p50 %d ms, p95 %d ms, p99 %d ms, max %d ms (simulated)%n",
        p50, p95, p99, NotifyRing.percentile(latencies, 1.0));
    assertTrue(p50 <= 1_000, "p50 " + p50);
    assertTrue(p99 <= 3_000, "p99 " + p99);
    int delivered = 0;
    for (NotifyRing.User u : users) {
      for (var c : u.changes) {
        if (c.state() == NotificationState.DELIVERED) {
          delivered++;
        }
      }
    }
    assertEquals(200, delivered, "every sender saw its receipt");
    for (NotificationId id : sentAt.keySet()) {
      for (NotifyRing.User u : users) {
        u.service.status(id).ifPresent(st -> assertEquals(NotificationState.DELIVERED, st.state()));
      }
    }
    ring.sim.runFor(30_000);
    assertEquals(0, ring.totalItems(), "acknowledged items are deleted from every storer");
  }

  /**
   * A burst from one sender to one recipient (ADR 0138): alice seals what queues behind her deposit
   * into batches and bob answers with receipts that carry several ids each, so the storers hold far
   * fewer items than one notification and one receipt per message would make; every notification is
   * still delivered once, every one ends DELIVERED at alice, and every item is deleted everywhere.
   */
  @Test
  void aBurstFromOneSenderGoesInBatchedNotificationsAndReceipts() {
    NotifyConfig config = NotifyConfig.defaults();
    NotifyRing ring = new NotifyRing(12, config).build(30);
    NotifyRing.User alice = ring.user("alice@ring").on(ring.nodes.get(0));
    NotifyRing.User bob = ring.user("bob@ring").on(ring.nodes.get(15));
    ring.sim.runFor(10_000); // subscriptions attach
    int n = 60;
    List<CompletionStage<NotificationId>> stages = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      stages.add(alice.service.send(bob.certificate, ("ref-" + i).getBytes(), new byte[100]));
    }
    for (CompletionStage<NotificationId> s : stages) {
      ring.await(s, 60_000);
    }
    ring.sim.runFor(20_000);
    assertEquals(n, bob.received.size(), "each notification delivered exactly once");
    java.util.Set<String> refs = new java.util.HashSet<>();
    for (var r : bob.received) {
      refs.add(new String(r.messageReference()));
    }
    assertEquals(n, refs.size(), "each with its own reference");
    long delivered =
        alice.changes.stream().filter(c -> c.state() == NotificationState.DELIVERED).count();
    assertEquals(n, delivered, "alice saw a receipt for every notification");
    long items = ring.sumStorers().stored();
    int r = config.replicas();
    assertTrue(
        items <= (long) (n / 4) * r,
        "stored items: "
            + items
            + " for "
            + n
            + " notifications at "
            + r
            + " replicas; one item per notification and per receipt would make "
            + 2 * n * r);
    ring.sim.runFor(30_000);
    assertEquals(0, ring.totalItems(), "acknowledged items are deleted from every storer");
  }
}
