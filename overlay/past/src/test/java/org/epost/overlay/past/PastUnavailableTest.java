package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastException.UnavailableException;
import org.epost.overlay.past.api.PastException.UnavailableException.Reason;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.sim.SimulatedNode;
import org.junit.jupiter.api.Test;

/**
 * "Not found" (a quorum of the replica set answered, none holds a valid copy) is never reported
 * when PAST could not ask: a node not joined, a stopped node and a replica set that does not answer
 * all give {@link UnavailableException}.
 */
class PastUnavailableTest {
  private static final long DAY = 24L * 3_600_000;

  private static PastObject immutable(long seed) {
    byte[] b = new byte[1000];
    new SplittableRandom(seed).nextBytes(b);
    return PastObject.immutable(b, PastRing.THIRTY_DAYS);
  }

  /** Runs the simulation until {@code stage} completes (at most 120 s of virtual time). */
  private static <T> CompletableFuture<T> settle(PastRing ring, CompletionStage<T> stage) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    for (int i = 0; i < 1200 && !f.isDone(); i++) {
      ring.sim.runFor(100);
    }
    assertTrue(f.isDone(), "operation did not complete in 120 s of virtual time");
    return f;
  }

  private static <E extends Throwable> E failure(CompletableFuture<?> f, Class<E> type) {
    assertTrue(f.isCompletedExceptionally(), () -> "expected a failure, got " + f.join());
    try {
      f.join();
    } catch (java.util.concurrent.CompletionException e) {
      return assertInstanceOf(type, e.getCause(), String.valueOf(e.getCause()));
    }
    return fail("unreachable");
  }

  private static UnavailableException unavailable(CompletableFuture<?> f) {
    return failure(f, UnavailableException.class);
  }

  /** A live node that is none of the {@code 2k} nodes closest to {@code key}. */
  private static Past readerAwayFrom(PastRing ring, Id key) {
    List<SimulatedNode> near = ring.closest(key, 2 * ring.config.replicas());
    for (SimulatedNode n : ring.sim.liveNodes()) {
      if (!near.contains(n) && n.isReady()) {
        return ring.pasts.get(n);
      }
    }
    return fail("no reader outside the replica set");
  }

  @Test
  void aNodeThatHasNotJoinedSaysUnavailableNotNotFound() {
    PastRing ring = new PastRing(21, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(20);
    PastObject o = immutable(1);
    assertTrue(settle(ring, ring.randomPast().insert(o)).join() >= 3);

    SimulatedNode joining = ring.attach(ring.sim.addNode());
    Past past = ring.pasts.get(joining);
    assertTrue(!joining.isReady(), "the new node has not finished joining yet");
    UnavailableException lookup = unavailable(past.lookup(o.id()).toCompletableFuture());
    assertEquals(Reason.NOT_JOINED, lookup.reason());
    assertTrue(lookup.retryable());
    assertEquals(
        Reason.NOT_JOINED, unavailable(past.insert(immutable(2)).toCompletableFuture()).reason());
    assertEquals(
        Reason.NOT_JOINED,
        unavailable(past.renew(o.id(), ring.sim.wallMillis() + DAY).toCompletableFuture())
            .reason());

    // Once joined, the same call answers.
    ring.sim.runFor(30_000);
    assertTrue(joining.isReady());
    assertEquals(o.id(), settle(ring, past.lookup(o.id())).join().id());
  }

  @Test
  void aStoppedNodeSaysUnavailableForPendingAndNewOperations() {
    PastRing ring = new PastRing(22, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(20);
    PastObject o = immutable(3);
    assertTrue(settle(ring, ring.randomPast().insert(o)).join() >= 3);
    Past past = readerAwayFrom(ring, o.id());

    CompletableFuture<PastObject> pending = past.lookup(o.id()).toCompletableFuture();
    CompletableFuture<Integer> pendingInsert = past.insert(immutable(4)).toCompletableFuture();
    assertTrue(!pending.isDone() && !pendingInsert.isDone());
    past.stop();
    assertEquals(Reason.STOPPED, unavailable(pending).reason());
    assertEquals(Reason.STOPPED, unavailable(pendingInsert).reason());
    assertEquals(Reason.STOPPED, unavailable(past.lookup(o.id()).toCompletableFuture()).reason());
    assertEquals(
        Reason.STOPPED, unavailable(past.insert(immutable(5)).toCompletableFuture()).reason());
    assertEquals(
        Reason.STOPPED,
        unavailable(past.renew(o.id(), ring.sim.wallMillis() + DAY).toCompletableFuture())
            .reason());
  }

  @Test
  void aReplicaSetThatDoesNotAnswerIsUnavailableAndAnAnsweringOneSaysNotFound() {
    PastRing ring = new PastRing(23, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(40);
    PastObject o = immutable(6);
    assertTrue(settle(ring, ring.randomPast().insert(o)).join() >= 3);
    ring.sim.runFor(10_000);
    Past reader = readerAwayFrom(ring, o.id());

    // Every replica is reachable: an id nobody stored is not found, with a quorum behind it.
    Id never = Id.random(ring.sim.random());
    PastException.ObjectNotFoundException nf =
        failure(
            settle(ring, readerAwayFrom(ring, never).lookup(never)),
            PastException.ObjectNotFoundException.class);
    assertTrue(!nf.retryable());
    assertTrue(nf.answered() >= ring.config.majority(), "answered " + nf.answered());

    // The whole replica set is cut off (the nodes run, their frames are lost): the object exists,
    // so the reader must not be told it does not.
    List<SimulatedNode> replicas = ring.closest(o.id(), ring.config.replicas());
    for (SimulatedNode s : replicas) {
      ring.sim.setCutOff(s, true);
    }
    UnavailableException u = unavailable(settle(ring, reader.lookup(o.id())));
    assertEquals(Reason.NO_QUORUM, u.reason());
    assertTrue(u.retryable());
    assertTrue(
        u.answered() < ring.config.majority(),
        "answered " + u.answered() + " of " + u.asked() + ": " + u.getMessage());

    // Reconnected, the same reader finds it.
    for (SimulatedNode s : replicas) {
      ring.sim.setCutOff(s, false);
    }
    ring.sim.runFor(5_000);
    assertEquals(o.id(), settle(ring, reader.lookup(o.id())).join().id());
  }

  @Test
  void aSignedHeadIsReportedOnlyAfterAQuorumAnswered() throws Exception {
    PastRing ring = new PastRing(24, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(40);
    SigningKeyPair owner = SigningKeyPair.generate(new SecureRandom());
    byte[] label = "log-head".getBytes(StandardCharsets.UTF_8);
    PastObject v1 =
        PastObject.mutable(
            owner, label, 1, "one".getBytes(StandardCharsets.UTF_8), PastRing.THIRTY_DAYS);
    assertTrue(settle(ring, ring.randomPast().insert(v1)).join() >= 3);
    ring.sim.runFor(10_000);
    Past reader = readerAwayFrom(ring, v1.id());
    assertEquals(1, settle(ring, reader.lookup(v1.id())).join().sequence());

    // PAST stops answering on a majority of the replica set while their overlay nodes stay in
    // the ring (a cut-off node would soon be declared failed and leave the replica set). The two
    // that answer hold version 1, but a newer version could sit on the three others: the reader
    // is told it could not find out, never given a version a quorum did not vouch for.
    List<SimulatedNode> replicas = ring.closest(v1.id(), ring.config.replicas());
    // The root (the closest) still answers, so the reader learns the whole replica set.
    for (SimulatedNode s : replicas.subList(1, 1 + ring.config.majority())) {
      ring.pasts.get(s).stop();
    }
    UnavailableException u = unavailable(settle(ring, reader.lookup(v1.id())));
    assertEquals(Reason.NO_QUORUM, u.reason());
    assertTrue(u.answered() < ring.config.majority(), u.getMessage());
    assertEquals(ring.config.replicas(), u.asked(), u.getMessage());
  }
}
