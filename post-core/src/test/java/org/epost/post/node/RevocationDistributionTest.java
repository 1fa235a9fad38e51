package org.epost.post.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.api.Id;
import org.epost.post.directory.RevocationStatus;
import org.epost.post.directory.SignedRevocations;
import org.junit.jupiter.api.Test;

/**
 * Revocation lists over the ring (ADR 0109): published at one node, pushed on the ring's topic,
 * stored in PAST and read by a node that was offline when it came back; older and forged lists
 * refused and counted.
 */
class RevocationDistributionTest {
  private static Instant now(PostRing.Slot s) {
    return s.node.overlay().environment().clock().wallInstant();
  }

  @Test
  void aRecipientThatWasOfflineRefusesTheRevokedSenderAfterItComesBack() {
    PostRing ring = new PostRing(61).build(16);
    PostRing.Slot a = ring.live().get(2);
    PostRing.Slot b = ring.live().get(9);
    PostRing.Slot c = ring.live().get(13);
    PostRing.Slot d = ring.live().get(5);
    PostRing.Inbox bobInbox = new PostRing.Inbox();
    PostRing.Person alice =
        ring.person("alice@ring.example", a).on(a, ring.memoryState(), new PostRing.Inbox());
    PostNode.UserState bobState = ring.memoryState();
    PostRing.Person bob = ring.person("bob@ring.example", b).on(b, bobState, bobInbox);
    PostRing.Person carol =
        ring.person("carol@ring.example", c).on(c, ring.memoryState(), new PostRing.Inbox());
    alice.enrol(a);
    bob.enrol(b);
    carol.enrol(c);
    Id bobNode = b.node.id();
    bob.user.notifications().stop();
    ring.crash(b); // bob's node is away (its directory, in memory here, is gone with it)
    ring.sim.runFor(10_000);

    // The operator revokes carol; alice's node publishes the signed list.
    SignedRevocations v1 =
        ring.authority.revocationObject(1, now(a), Set.of(carol.entry.certificate().serial()));
    long t0 = ring.sim.nowMillis();
    assertTrue(ring.await(a.post.revocations().publish(v1.object().bytes()), 60_000) >= 3);
    // online nodes have it by the push, within seconds
    assertTrue(
        ring.runUntil(() -> d.post.revocations().status().version() == 1, 10_000),
        "pushed to an online node");
    assertTrue(ring.sim.nowMillis() - t0 < 10_000);

    // carol (whose node does not check her own status) sends to bob while he is away
    ring.await(
        carol.user.notifications().send(bob.entry.certificate(), new byte[] {1}, new byte[0]),
        60_000);
    ring.sim.runFor(20_000);

    PostRing.Slot back = ring.restart(bobNode);
    bob.on(back, bobState, bobInbox);
    assertTrue(
        ring.runUntil(() -> back.post.revocations().status().version() == 1, 30_000),
        "bob's node read the list when it came back: " + back.post.revocations().status());
    ring.sim.runFor(30_000);
    assertEquals(0, bobInbox.received.size(), "the waiting notification of revoked carol");
    assertTrue(
        bob.user.notifications().statistics().rejectedSender() >= 1,
        "rejected and counted: " + bob.user.notifications().statistics());
    assertTrue(back.post.directory().status().sendersRevoked() >= 1);

    // and one sent after bob is back
    ring.await(
        carol.user.notifications().send(bob.entry.certificate(), new byte[] {2}, new byte[0]),
        60_000);
    ring.sim.runFor(30_000);
    assertEquals(0, bobInbox.received.size());
    assertTrue(bob.user.notifications().statistics().rejectedSender() >= 2);
    // alice is not revoked: her mail still arrives
    ring.await(
        alice.user.notifications().send(bob.entry.certificate(), new byte[] {3}, new byte[0]),
        60_000);
    assertTrue(ring.runUntil(() -> bobInbox.received.size() == 1, 30_000), "alice's arrives");
  }

  @Test
  void olderAndForgedListsAreRefusedAndCounted() {
    PostRing ring = new PostRing(62).build(12);
    PostRing.Slot a = ring.live().get(1);
    PostRing.Slot d = ring.live().get(7);
    SignedRevocations v1 = ring.authority.revocationObject(1, now(a), Set.of(11L));
    SignedRevocations v2 = ring.authority.revocationObject(2, now(a), Set.of(11L, 12L));
    assertTrue(ring.await(a.post.revocations().publish(v2.object().bytes()), 60_000) >= 3);
    assertTrue(ring.runUntil(() -> d.post.revocations().status().version() == 2, 10_000));

    // an older list pushed on the topic (a replay) is refused by every node
    long stale = d.post.revocations().status().refusedStale();
    a.scribe.publish(SignedRevocations.topic(ring.authority.publicKey()), v1.object().bytes());
    assertTrue(
        ring.runUntil(() -> d.post.revocations().status().refusedStale() > stale, 10_000),
        "counted: " + d.post.revocations().status());
    assertEquals(2, d.post.revocations().status().version());
    assertEquals(2, d.post.directory().status().revocationListVersion());

    // a list signed by another key (under its own id) pushed on the topic: refused, counted
    SigningKeyPair mallory = SigningKeyPair.generate(PostRing.seeded(99));
    SignedRevocations forged = SignedRevocations.sign(mallory, 9, now(a), Set.of());
    long forgedBefore = d.post.revocations().status().refusedForged();
    a.scribe.publish(SignedRevocations.topic(ring.authority.publicKey()), forged.object().bytes());
    assertTrue(
        ring.runUntil(() -> d.post.revocations().status().refusedForged() > forgedBefore, 10_000));
    // flipped bits in the authority's own object
    byte[] flipped = v2.object().bytes();
    flipped[flipped.length - 5] ^= 1;
    a.scribe.publish(SignedRevocations.topic(ring.authority.publicKey()), flipped);
    assertTrue(
        ring.runUntil(
            () -> d.post.revocations().status().refusedForged() > forgedBefore + 1, 10_000));
    assertEquals(2, d.post.revocations().status().version());

    // publishing the older one or a forged one through the API fails; PAST keeps version 2
    Throwable t1 = failure(ring, d.post.revocations().publish(v1.object().bytes()));
    assertInstanceOf(IllegalArgumentException.class, t1);
    Throwable t2 = failure(ring, d.post.revocations().publish(forged.object().bytes()));
    assertInstanceOf(IllegalArgumentException.class, t2);
    var o =
        ring.await(a.post.past().lookup(SignedRevocations.id(ring.authority.publicKey())), 30_000);
    assertEquals(2, o.sequence());

    // a node that starts later reads version 2, and the sizes are bounded
    PostRing.Slot late = ring.start(ring.sim.addNode());
    assertTrue(ring.runUntil(() -> late.post.revocations().status().version() == 2, 60_000));
    RevocationStatus s = late.post.revocations().status();
    assertTrue(s.pulls() >= 1, s.toString());
    assertTrue(
        SignedRevocations.MAX_SERIALS * 8 + 1_000 < SignedRevocations.MAX_BYTES,
        "a full list fits one object and one push");
  }

  @Test
  void aFullListFitsOnePushAndOneMoreSerialIsRefused() {
    SecureRandom r = PostRing.seeded(5);
    SigningKeyPair k = SigningKeyPair.generate(r);
    java.util.List<Long> serials = new java.util.ArrayList<>();
    for (long i = 1; i <= SignedRevocations.MAX_SERIALS; i++) {
      serials.add(i);
    }
    SignedRevocations full = SignedRevocations.sign(k, 1, Instant.EPOCH, serials);
    assertTrue(full.object().size() <= SignedRevocations.MAX_BYTES, "" + full.object().size());
    serials.add(0L);
    try {
      SignedRevocations.sign(k, 2, Instant.EPOCH, serials);
      throw new AssertionError("one serial too many was signed");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("at most"));
    }
  }

  private static Throwable failure(PostRing ring, java.util.concurrent.CompletionStage<?> s) {
    var f = s.toCompletableFuture();
    ring.runUntil(f::isDone, 60_000);
    try {
      f.join();
      throw new AssertionError("expected a failure");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
