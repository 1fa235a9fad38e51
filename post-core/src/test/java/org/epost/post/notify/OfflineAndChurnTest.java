package org.epost.post.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.junit.jupiter.api.Test;

/** Offline recipients, returning recipients, and churn at every step of a send. */
class OfflineAndChurnTest {
  @Test
  void returningRecipientsDrainTheirPendingStoreWithinSecondsOfJoining() {
    NotifyRing ring = new NotifyRing(21, NotifyConfig.defaults()).build(60);
    NotifyRing.User alice = ring.user("alice@ring").on(ring.nodes.get(0));
    List<NotifyRing.User> away = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      NotifyRing.User u = ring.user("away" + i + "@ring").on(ring.nodes.get(5 + i));
      away.add(u);
    }
    ring.sim.runFor(5_000);
    for (NotifyRing.User u : away) {
      u.service.stop();
      ring.fail(u.node);
    }
    ring.sim.runFor(30_000);
    List<NotificationId> ids = new ArrayList<>();
    for (NotifyRing.User u : away) {
      ids.add(
          ring.await(alice.service.send(u.certificate, "ref".getBytes(), new byte[100]), 60_000));
      assertEquals(
          NotificationState.NOTIFIED, alice.service.status(ids.get(ids.size() - 1)).get().state());
    }
    ring.sim.runFor(5 * 60_000);
    List<Long> delays = new ArrayList<>();
    for (NotifyRing.User u : away) {
      SimulatedNode n = ring.join();
      u.on(n);
      assertTrue(ring.runUntil(n::isReady, 60_000), "node joined");
      long ready = ring.sim.nowMillis();
      assertTrue(ring.runUntil(() -> u.received.size() == 1, 30_000), "delivered after return");
      delays.add(ring.sim.nowMillis() - ready);
      ring.sim.runFor(1_000);
    }
    System.out.printf(
        "post-core notification: returning recipient, ready to delivered: p50 %d ms, max %d ms"
            + " (10 recipients, 60 nodes, simulated)%n",
        NotifyRing.percentile(delays, 0.5), NotifyRing.percentile(delays, 1.0));
    for (long d : delays) {
      assertTrue(d <= 5_000, "drained within 5 s of joining: " + d);
    }
    ring.sim.runFor(20_000);
    for (NotificationId id : ids) {
      assertEquals(NotificationState.DELIVERED, alice.service.status(id).get().state());
    }
    ring.sim.runFor(30_000);
    assertEquals(0, ring.totalItems(), "pending copies and receipts deleted once acknowledged");
  }

  @Test
  void churnDuringASendLosesNoAcknowledgedNotification() {
    NotifyRing ring = new NotifyRing(22, NotifyConfig.defaults().withMaintenance(20_000)).build(60);
    List<NotifyRing.User> senders = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      senders.add(ring.user("sender" + i + "@ring").on(ring.nodes.get(2 + i)));
    }
    NotifyRing.User carol = ring.user("carol@ring").on(ring.nodes.get(20));
    ring.sim.runFor(5_000);
    carol.service.stop();
    ring.fail(carol.node); // the recipient's node is down for the whole send
    ring.sim.runFor(20_000);
    List<NotificationId> ids = new ArrayList<>();
    for (NotifyRing.User s : senders) {
      ids.add(
          ring.await(s.service.send(carol.certificate, "ref".getBytes(), new byte[300]), 60_000));
      s.service.stop();
      ring.fail(s.node); // the sender's node dies right after the deposit is acknowledged
    }
    // two of the five replicas die, new nodes join near the key, reconciliation repairs
    List<SimulatedNode> replicas = ring.closest(carol.inbox(), 5);
    ring.fail(replicas.get(0));
    ring.fail(replicas.get(2));
    for (int i = 0; i < 4; i++) {
      ring.join();
      ring.sim.runFor(500);
    }
    ring.sim.runFor(120_000);
    assertTrue(
        ring.copies(carol.inbox()) >= 3, "repaired to a majority: " + ring.copies(carol.inbox()));
    // and two more replicas die
    replicas = ring.closest(carol.inbox(), 5);
    ring.fail(replicas.get(1));
    ring.fail(replicas.get(3));
    ring.sim.runFor(60_000);
    carol.on(ring.join());
    assertTrue(
        ring.runUntil(() -> carol.received.size() == senders.size(), 60_000),
        "every acknowledged notification reached carol: " + carol.received.size());
    ring.sim.runFor(10_000);
    // the senders come back (same local state, new nodes) and find carol's receipts waiting
    for (NotifyRing.User s : senders) {
      s.on(ring.join());
    }
    ring.sim.runFor(30_000);
    for (int i = 0; i < senders.size(); i++) {
      assertEquals(
          NotificationState.DELIVERED,
          senders.get(i).service.status(ids.get(i)).get().state(),
          "sender " + i + " sees the receipt");
    }
  }
}
