package org.epost.post.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.ScribeClient;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.post.api.NotificationState;
import org.epost.post.notify.MemoryPendingItemStore;
import org.junit.jupiter.api.Test;

/**
 * A PostNode on the node's own Scribe (as a node runtime has one): it works, and stays the
 * caller's.
 */
class PostNodeOnExistingScribeTest {
  @Test
  void notificationsFlowOverThePassedInScribeAndStopLeavesItRunning() {
    PostRing ring = new PostRing(31).build(12);
    PostRing.Slot a = ring.live().get(1);
    PostRing.Slot b = ring.live().get(7);
    PostRing.Inbox aliceInbox = new PostRing.Inbox();
    PostRing.Inbox bobInbox = new PostRing.Inbox();
    PostRing.Person alice =
        ring.person("alice@ring.example", a).on(a, ring.memoryState(), aliceInbox);
    PostRing.Person bob = ring.person("bob@ring.example", b).on(b, ring.memoryState(), bobInbox);
    alice.enrol(a);
    bob.enrol(b);
    assertTrue(a.post.scribe() == a.scribe, "the PostNode uses the Scribe it was given");
    var id =
        ring.await(
            alice.user.notifications().send(bob.entry.certificate(), new byte[] {1}, new byte[0]),
            60_000);
    assertTrue(ring.runUntil(() -> bobInbox.received.size() == 1, 10_000), "bob has it");
    assertTrue(
        ring.runUntil(
            () ->
                alice.user.notifications().status(id).get().state() == NotificationState.DELIVERED,
            30_000),
        "alice sees the receipt");

    b.post.stop();
    // The Scribe was the caller's: still running after the PostNode stopped.
    CompletableFuture<Void> sub =
        b.scribe
            .subscribe(
                TopicId.of(Id.fromHex("0123456789abcdef0123456789abcdef01234567")), new Quiet())
            .toCompletableFuture();
    ring.sim.runFor(10_000);
    assertTrue(sub.isDone() && !sub.isCompletedExceptionally(), "the node's Scribe still serves");
  }

  @Test
  void aPostNodeThatMadeItsOwnScribeStopsIt() {
    Simulation sim = Simulation.builder().seed(32).build();
    SimulatedNode node = sim.createRing();
    Past past =
        PastNodes.create(
            node.overlay(), new MemoryObjectStore(1 << 20), Runnable::run, PastConfig.defaults());
    PostNode own =
        PostNode.create(
            node.overlay(),
            past,
            SigningKeyPair.generate(PostRing.seeded(1)).publicKey(),
            new MemoryPendingItemStore(),
            PostNode.Config.defaults());
    sim.runFor(1_000);
    own.stop();
    CompletableFuture<Void> sub =
        own.scribe()
            .subscribe(
                TopicId.of(Id.fromHex("0123456789abcdef0123456789abcdef01234567")), new Quiet())
            .toCompletableFuture();
    sim.runFor(1_000);
    assertTrue(sub.isCompletedExceptionally(), "its own Scribe was stopped with it");
  }

  private static final class Quiet implements ScribeClient {
    @Override
    public void deliver(Publication publication) {}
  }
}
