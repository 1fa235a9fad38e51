package org.epost.post.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 (mail, 1,000 users x 1 day, 30% correlated failure: one acknowledged delivery lost). A
 * correlated failure takes every holder of the sender's directory entry away at once; the
 * recipient, who has not read that entry before, is told "not found" by the entry's current replica
 * set. The notification must wait (pending copies kept), not be rejected as forged and deleted; it
 * is delivered once the holders are back.
 */
class SenderEntryAwayTest {
  private static long pendingItems(PostRing ring) {
    long n = 0;
    for (PostRing.Slot s : ring.live()) {
      n += s.post.notifyNode().statistics().items();
    }
    return n;
  }

  @Test
  void aNotificationWhoseSendersEntryHoldersAreAllAwayWaitsAndIsDelivered() {
    PostRing ring = new PostRing(71).build(24);
    PostRing.Slot any = ring.live().get(0);
    PostRing.Person alice = ring.person("alice@ring.example", any);
    PostRing.Person bob = ring.person("bob@ring.example", any);
    Id entryId = alice.entry.id();
    List<PostRing.Slot> holders = ring.closest(entryId, 5);
    List<PostRing.Slot> others = new ArrayList<>(ring.live());
    others.removeAll(ring.closest(entryId, 8));
    PostRing.Slot a = others.get(0);
    PostRing.Slot b = others.get(1);
    PostRing.Inbox bobInbox = new PostRing.Inbox();
    alice.on(a, ring.memoryState(), new PostRing.Inbox());
    bob.on(b, ring.memoryState(), bobInbox);
    alice.enrol(a);
    bob.enrol(b);
    ring.sim.runFor(10_000);

    List<Id> away = new ArrayList<>();
    for (PostRing.Slot h : holders) {
      away.add(h.node.id());
      ring.crash(h); // the correlated failure: every holder of alice's entry at once
    }
    ring.sim.runFor(30_000);
    NotificationId id =
        ring.await(
            alice.user.notifications().send(bob.entry.certificate(), new byte[] {1}, new byte[0]),
            60_000);
    assertEquals(NotificationState.NOTIFIED, alice.user.notifications().status(id).get().state());
    ring.sim.runFor(60_000);
    assertEquals(0, bobInbox.received.size(), "alice's certificate cannot be checked yet");
    assertEquals(
        0,
        bob.user.notifications().statistics().rejectedSender(),
        "an enrolled sender whose entry is out of reach is not rejected");
    assertTrue(pendingItems(ring) >= 3, "the pending copies are kept: " + pendingItems(ring));

    for (Id h : away) {
      ring.restart(h); // the holders come back with their stores
    }
    assertTrue(
        ring.runUntil(
            () ->
                alice.user.notifications().status(id).get().state() == NotificationState.DELIVERED,
            600_000),
        "delivered once alice's entry can be read again: " + bob.user.notifications().statistics());
    assertEquals(1, bobInbox.received.size());
  }
}
