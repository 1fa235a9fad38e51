package org.epost.post.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.seal.Sealer;
import org.epost.overlay.api.Id;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.junit.jupiter.api.Test;

/** Storers that drop, alter or forge pending notifications. */
class ByzantineStorerTest {
  /** A storer's disk that loses what it is given, or corrupts what it serves. */
  static final class FaultyStore implements PendingItemStore {
    final MemoryPendingItemStore inner = new MemoryPendingItemStore();
    String mode = "honest";

    @Override
    public java.util.concurrent.CompletionStage<Void> put(
        Id inbox, byte[] itemId, byte[] token, long expiresAt, byte[] sealed) {
      if (!mode.equals("drop")) {
        inner.put(inbox, itemId, token, expiresAt, sealed);
      }
      return java.util.concurrent.CompletableFuture.completedFuture(null); // lies: says it kept it
    }

    @Override
    public byte[] get(Id inbox, byte[] itemId) {
      byte[] b = inner.get(inbox, itemId);
      if (b != null && mode.equals("alter")) {
        b[b.length / 2] ^= 0x55;
      }
      return b;
    }

    @Override
    public void remove(Id inbox, byte[] itemId) {
      inner.remove(inbox, itemId);
    }

    @Override
    public java.util.List<Item> held() {
      return inner.held();
    }
  }

  @Test
  void droppingAndAlteringStorersDoNotStopDelivery() {
    Map<SimulatedNode, FaultyStore> stores = new HashMap<>();
    NotifyRing ring =
        new NotifyRing(
                31, NotifyConfig.defaults(), n -> stores.computeIfAbsent(n, k -> new FaultyStore()))
            .build(50);
    NotifyRing.User alice = ring.user("alice@ring").on(ring.nodes.get(1));
    NotifyRing.User dave = ring.user("dave@ring").on(ring.nodes.get(2));
    ring.sim.runFor(5_000);
    dave.service.stop();
    ring.fail(dave.node);
    List<SimulatedNode> replicas = ring.closest(dave.inbox(), 5);
    stores.get(replicas.get(0)).mode = "drop"; // the root
    stores.get(replicas.get(1)).mode = "alter";
    NotificationId id =
        ring.await(alice.service.send(dave.certificate, "ref".getBytes(), new byte[100]), 60_000);
    ring.sim.runFor(120_000); // reconciliation rounds with the faulty storers in the set
    dave.on(ring.join());
    assertTrue(ring.runUntil(() -> dave.received.size() == 1, 60_000), "delivered");
    ring.sim.runFor(10_000);
    assertEquals(1, dave.received.size(), "once");
    assertTrue(dave.service.statistics().rejectedSeal() >= 1, "the altered copy was detected");
    assertEquals(NotificationState.DELIVERED, alice.service.status(id).get().state());
  }

  @Test
  void forgedNotificationsAreRejectedAndCounted() {
    NotifyRing ring = new NotifyRing(32, NotifyConfig.defaults()).build(40);
    NotifyRing.User alice = ring.user("alice@ring").on(ring.nodes.get(1));
    NotifyRing.User dave = ring.user("dave@ring").on(ring.nodes.get(2));
    NotifyRing.User mallory = ring.user("mallory@ring").on(ring.nodes.get(3));
    ring.sim.runFor(5_000);
    dave.service.stop();
    ring.fail(dave.node);
    NotifyNode storer = ring.notify.get(mallory.node); // a storer injecting items it made up
    Sealer sealer = new Sealer(NotifyRing.seeded(99));
    long now = ring.sim.wallMillis();
    Id inbox = dave.inbox();
    // 1. signed by mallory's key, claiming to be alice
    byte[] claimAlice =
        sealer.seal(
            mallory.identity.signing(),
            dave.identity.encryption().publicKey(),
            Instant.ofEpochMilli(now),
            Payload.notification(
                    NotificationId.of(new byte[16]),
                    "alice@ring",
                    alice.certificate.serial(),
                    "forged".getBytes(),
                    new byte[0])
                .encode());
    // 2. an uncertified key with an address nobody has
    UserIdentity ghost = UserIdentity.generate(NotifyRing.seeded(7));
    byte[] claimGhost =
        sealer.seal(
            ghost.signing(),
            dave.identity.encryption().publicKey(),
            Instant.ofEpochMilli(now),
            Payload.notification(
                    NotificationId.of(
                        new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}),
                    "ghost@ring",
                    1,
                    "forged".getBytes(),
                    new byte[0])
                .encode());
    // 3. bytes that are no sealed envelope at all
    byte[] garbage = new byte[600];
    NotifyRing.seeded(8).nextBytes(garbage);
    for (byte[] sealed : List.of(claimAlice, claimGhost, garbage)) {
      Wire.Item item = new Wire.Item(Keys.itemId(sealed), new byte[16], now + 3_600_000, sealed);
      ring.await(storer.deposit(inbox, item), 60_000);
    }
    // 4. an item whose id is not the hash of its bytes: refused by the storers themselves
    Wire.Item lying = new Wire.Item(new byte[16], new byte[16], now + 3_600_000, garbage);
    assertTrue(
        ring.failure(storer.deposit(inbox, lying), 200_000)
            instanceof org.epost.post.api.NotifyException);
    NotificationId real =
        ring.await(alice.service.send(dave.certificate, "ref".getBytes(), new byte[10]), 60_000);
    ring.sim.runFor(10_000);
    dave.on(ring.join());
    assertTrue(ring.runUntil(() -> dave.received.size() == 1, 60_000));
    ring.sim.runFor(10_000);
    assertEquals(1, dave.received.size(), "only the genuine notification is delivered");
    assertEquals(real, dave.received.get(0).id());
    assertEquals("alice@ring", dave.received.get(0).senderAddress());
    assertEquals(2, dave.service.statistics().rejectedSender(), "claimed alice, claimed ghost");
    assertEquals(1, dave.service.statistics().rejectedSeal(), "garbage");
    assertTrue(ring.sumStorers().refusedBadItem() >= 1, "storers refuse an id that lies");
    ring.sim.runFor(20_000);
    assertEquals(0, ring.totalItems(), "rejected items are deleted by their owner's ack too");
  }
}
