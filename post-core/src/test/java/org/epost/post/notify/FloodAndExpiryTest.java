package org.epost.post.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.epost.post.api.NotificationFailure;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.epost.post.api.NotifyException;
import org.junit.jupiter.api.Test;

/** Bounds at the storers (per sender token, per depositing node, sizes) and expiry. */
class FloodAndExpiryTest {
  @Test
  void aFloodFromOneSenderIsBoundedWithoutBlockingOtherSenders() {
    NotifyRing ring = new NotifyRing(41, NotifyConfig.defaults()).build(40);
    NotifyRing.User flooder = ring.user("flood@ring").on(ring.nodes.get(1));
    NotifyRing.User alice = ring.user("alice@ring").on(ring.nodes.get(2));
    NotifyRing.User erin = ring.user("erin@ring").on(ring.nodes.get(3));
    ring.sim.runFor(5_000);
    erin.service.stop();
    ring.fail(erin.node);
    List<CompletionStage<NotificationId>> flood = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      flood.add(flooder.service.send(erin.certificate, ("f" + i).getBytes(), new byte[100]));
      ring.sim.runFor(1_000); // each its own item: sends queued behind a deposit go as one batch
    }
    int accepted = 0;
    int refused = 0;
    for (CompletionStage<NotificationId> s : flood) {
      try {
        ring.await(s, 200_000);
        accepted++;
      } catch (java.util.concurrent.CompletionException e) {
        NotifyException.Refused r = assertInstanceOf(NotifyException.Refused.class, e.getCause());
        assertEquals("SENDER_QUOTA", r.reason());
        assertTrue(r.retryable());
        refused++;
      }
    }
    assertEquals(ring.config.tokenMaxItems(), accepted, "one sender's share of erin's store");
    assertEquals(60 - ring.config.tokenMaxItems(), refused);
    // rotating tokens from the same node is bounded by the per-node share at the root
    NotifyNode floodNode = ring.notify.get(flooder.node);
    int rotatedOk = 0;
    for (int i = 0; i < 60; i++) {
      byte[] sealed = new byte[700];
      NotifyRing.seeded(1000 + i).nextBytes(sealed);
      byte[] token = new byte[16];
      token[0] = (byte) i;
      Wire.Item it =
          new Wire.Item(Keys.itemId(sealed), token, ring.sim.wallMillis() + 3_600_000, sealed);
      try {
        ring.await(floodNode.deposit(erin.inbox(), it), 200_000);
        rotatedOk++;
      } catch (java.util.concurrent.CompletionException e) {
        assertEquals("SOURCE_QUOTA", ((NotifyException.Refused) e.getCause()).reason());
      }
    }
    assertEquals(ring.config.sourceMaxItems() - ring.config.tokenMaxItems(), rotatedOk);
    assertTrue(ring.sumStorers().refusedSenderQuota() > 0);
    assertTrue(ring.sumStorers().refusedSourceQuota() > 0);
    // another sender is not blocked
    NotificationId fromAlice =
        ring.await(alice.service.send(erin.certificate, "hello".getBytes(), new byte[10]), 60_000);
    assertEquals(NotificationState.NOTIFIED, alice.service.status(fromAlice).get().state());
    // sizes are bounded before anything is sent
    Throwable big =
        ring.failure(alice.service.send(erin.certificate, new byte[4096], new byte[0]), 1_000);
    assertInstanceOf(NotifyException.LimitExceeded.class, big);
    assertFalse(((NotifyException) big).retryable());
    // erin returns: she gets alice's and the flooder's accepted share
    erin.on(ring.join());
    assertTrue(
        ring.runUntil(() -> erin.received.size() == ring.config.tokenMaxItems() + 1, 60_000),
        "received " + erin.received.size());
    assertTrue(erin.received.stream().anyMatch(n -> n.id().equals(fromAlice)));
  }

  @Test
  void aNotificationNeverFetchedExpiresAndTheSenderSeesFailedExpired() {
    NotifyConfig cfg = NotifyConfig.defaults().withRetention(120_000).withMaintenance(10_000);
    NotifyRing ring = new NotifyRing(42, cfg).build(30);
    NotifyRing.User alice = ring.user("alice@ring").on(ring.nodes.get(1));
    NotifyRing.User gone = ring.user("gone@ring").on(ring.nodes.get(2));
    ring.sim.runFor(5_000);
    gone.service.stop();
    ring.fail(gone.node);
    NotificationId id =
        ring.await(alice.service.send(gone.certificate, "ref".getBytes(), new byte[10]), 60_000);
    assertEquals(NotificationState.NOTIFIED, alice.service.status(id).get().state());
    assertTrue(ring.copies(gone.inbox()) >= 3);
    ring.sim.runFor(cfg.retentionMillis() + cfg.clockSkewMillis() + 30_000);
    var st = alice.service.status(id).get();
    assertEquals(NotificationState.FAILED, st.state());
    assertEquals(NotificationFailure.EXPIRED, st.failure());
    assertEquals(0, ring.copies(gone.inbox()), "storers dropped it");
    assertTrue(ring.sumStorers().expired() >= 3);
  }
}
