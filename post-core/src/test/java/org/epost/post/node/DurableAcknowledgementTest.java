package org.epost.post.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.junit.jupiter.api.Test;

/**
 * A notification is acknowledged (receipt to the sender, pending copies deleted) only once the
 * recipient's application says it holds the message durably; a failed hand-over leaves the item in
 * the pending store for the next fetch (ADR 0106).
 */
class DurableAcknowledgementTest {
  private static long pendingItems(PostRing ring) {
    long n = 0;
    for (PostRing.Slot s : ring.live()) {
      n += s.post.notifyNode().statistics().items();
    }
    return n;
  }

  @Test
  void noReceiptAndNoDeletionUntilTheApplicationHoldsTheMessage() {
    PostRing ring = new PostRing(41).build(12);
    PostRing.Slot a = ring.live().get(1);
    PostRing.Slot b = ring.live().get(7);
    PostRing.Inbox aliceInbox = new PostRing.Inbox();
    PostRing.Inbox bobInbox = new PostRing.Inbox();
    CompletableFuture<Void> filed = new CompletableFuture<>();
    bobInbox.answer = n -> filed; // the INBOX append has not completed yet
    PostRing.Person alice =
        ring.person("alice@ring.example", a).on(a, ring.memoryState(), aliceInbox);
    PostRing.Person bob = ring.person("bob@ring.example", b).on(b, ring.memoryState(), bobInbox);
    alice.enrol(a);
    bob.enrol(b);
    NotificationId id =
        ring.await(
            alice.user.notifications().send(bob.entry.certificate(), new byte[] {1}, new byte[0]),
            60_000);
    assertTrue(
        ring.runUntil(() -> bobInbox.received.size() == 1, 10_000), "bob's application has it");
    ring.sim.runFor(30_000);
    assertEquals(
        NotificationState.NOTIFIED,
        alice.user.notifications().status(id).get().state(),
        "no receipt while bob's application has not made the message durable");
    assertTrue(pendingItems(ring) >= 3, "the pending copies are still held: " + pendingItems(ring));
    // a duplicate (a fetch, the topic) while the first hand-over is in progress is not delivered
    ring.await(bob.user.notifications().fetchNow(), 30_000);
    assertEquals(1, bobInbox.received.size(), "delivered once while in progress");

    filed.complete(null); // the INBOX append completed
    assertTrue(
        ring.runUntil(
            () ->
                alice.user.notifications().status(id).get().state() == NotificationState.DELIVERED,
            30_000),
        "the receipt follows the application's durable hold");
    assertTrue(ring.runUntil(() -> pendingItems(ring) == 0, 60_000), "pending copies deleted");
    assertEquals(1, bobInbox.received.size());
  }

  @Test
  void aFailedHandOverIsDeliveredAgainAtTheNextFetch() {
    PostRing ring = new PostRing(42).build(12);
    PostRing.Slot a = ring.live().get(2);
    PostRing.Slot b = ring.live().get(9);
    PostRing.Inbox aliceInbox = new PostRing.Inbox();
    PostRing.Inbox bobInbox = new PostRing.Inbox();
    bobInbox.answer =
        n ->
            bobInbox.received.size() == 1
                ? CompletableFuture.failedFuture(new IOException("INBOX append failed: disk full"))
                : CompletableFuture.completedFuture(null);
    PostRing.Person alice =
        ring.person("alice@ring.example", a).on(a, ring.memoryState(), aliceInbox);
    PostRing.Person bob = ring.person("bob@ring.example", b).on(b, ring.memoryState(), bobInbox);
    alice.enrol(a);
    bob.enrol(b);
    NotificationId id =
        ring.await(
            alice.user.notifications().send(bob.entry.certificate(), new byte[] {2}, new byte[0]),
            60_000);
    assertTrue(ring.runUntil(() -> bobInbox.received.size() == 1, 10_000), "first hand-over");
    ring.sim.runFor(20_000);
    assertEquals(
        NotificationState.NOTIFIED,
        alice.user.notifications().status(id).get().state(),
        "a failed hand-over sends no receipt");
    ring.await(bob.user.notifications().fetchNow(), 30_000);
    assertTrue(
        ring.runUntil(() -> bobInbox.received.size() == 2, 10_000),
        "offered again at the next fetch: " + bobInbox.received.size());
    assertEquals(id, bobInbox.received.get(1).id());
    assertTrue(
        ring.runUntil(
            () ->
                alice.user.notifications().status(id).get().state() == NotificationState.DELIVERED,
            30_000),
        "delivered once the application holds it");
    assertTrue(ring.runUntil(() -> pendingItems(ring) == 0, 60_000), "pending copies deleted");
  }
}
