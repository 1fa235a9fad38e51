package org.epost.post.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.epost.post.disk.Direct;
import org.junit.jupiter.api.Test;

/**
 * A user's state on disk, observed through the services on a simulated ring: what the user received
 * and sent is known after a crash of its node and a reopen of the same directory.
 */
class UserStateOnDiskTest {
  @Test
  void seenIdsOutboxAndLeasesSurviveACrashOfTheNode() throws Exception {
    Path dir = Direct.dir("user-");
    PostRing ring = new PostRing(61).build(12);
    PostRing.Slot a = ring.live().get(1);
    PostRing.Slot b = ring.live().get(8);
    var loopA = a.node.overlay().environment().scheduler();
    PostNode.UserState aliceState =
        PostNode.UserState.onDisk(dir.resolve("alice"), Runnable::run, loopA, ring.config);
    PostRing.Inbox bobInbox = new PostRing.Inbox();
    PostRing.Person alice =
        ring.person("alice@ring.example", a).on(a, aliceState, new PostRing.Inbox());
    PostNode.UserState bobState =
        PostNode.UserState.onDisk(
            dir.resolve("bob"),
            Runnable::run,
            b.node.overlay().environment().scheduler(),
            ring.config);
    PostRing.Person bob = ring.person("bob@ring.example", b).on(b, bobState, bobInbox);
    alice.enrol(a);
    bob.enrol(b);
    NotificationId id =
        ring.await(
            alice.user.notifications().send(bob.entry.certificate(), new byte[] {9}, new byte[0]),
            60_000);
    assertTrue(
        ring.runUntil(
            () ->
                alice.user.notifications().status(id).get().state() == NotificationState.DELIVERED,
            30_000));
    assertEquals(1, bobInbox.received.size());
    int leases = aliceState.leases().size();

    // both nodes crash (nothing closed); a torn write at the end of alice's notification journal
    ring.crash(a);
    ring.crash(b);
    Files.write(
        dir.resolve("alice/notify/notify.journal"),
        new byte[] {0, 0, 1},
        StandardOpenOption.APPEND);
    ring.sim.runFor(5_000);
    PostRing.Slot a2 = ring.restart(a.node.id());
    PostRing.Slot b2 = ring.restart(b.node.id());
    PostNode.UserState alice2 =
        PostNode.UserState.onDisk(
            dir.resolve("alice"),
            Runnable::run,
            a2.node.overlay().environment().scheduler(),
            ring.config);
    PostNode.UserState bob2 =
        PostNode.UserState.onDisk(
            dir.resolve("bob"),
            Runnable::run,
            b2.node.overlay().environment().scheduler(),
            ring.config);
    alice.on(a2, alice2, new PostRing.Inbox());
    PostRing.Inbox bobAfter = new PostRing.Inbox();
    bob.on(b2, bob2, bobAfter);
    assertEquals(
        NotificationState.DELIVERED,
        alice.user.notifications().status(id).get().state(),
        "the sender's outbox survived");
    assertEquals(leases, alice2.leases().size(), "the lease ledger survived");
    ring.sim.runFor(30_000);
    assertEquals(0, bobAfter.received.size(), "nothing delivered twice after the restart");
  }
}
