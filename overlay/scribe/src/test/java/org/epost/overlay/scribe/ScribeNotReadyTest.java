package org.epost.overlay.scribe;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.ScribeException;
import org.epost.overlay.scribe.api.ScribeException.NotReadyException;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.sim.SimulatedNode;
import org.junit.jupiter.api.Test;

/** A node that is not ready says so through the stage it returns, never by a synchronous throw. */
class ScribeNotReadyTest {
  private static NotReadyException notReady(CompletionStage<?> stage) {
    CompletableFuture<?> f = stage.toCompletableFuture();
    assertTrue(f.isCompletedExceptionally(), "expected a failed stage");
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return assertInstanceOf(NotReadyException.class, e.getCause(), String.valueOf(e.getCause()));
  }

  @Test
  void beforeJoiningEveryOperationFailsItsStageWithNotReady() {
    ScribeRing ring = ScribeRing.build(31, 10, ScribeConfig.defaults());
    SimulatedNode joining = ring.sim.addNode();
    Scribe scribe = ring.attach(joining);
    assertFalse(joining.isReady(), "the new node has not finished joining yet");
    TopicId topic = TopicId.named("inbox");
    ScribeRing.Recorder r = new ScribeRing.Recorder(joining);

    CompletionStage<Void> sub = assertDoesNotThrow(() -> scribe.subscribe(topic, r));
    NotReadyException e = notReady(sub);
    assertEquals(NotReadyException.Reason.NOT_JOINED, e.reason());
    assertTrue(e.retryable());
    assertEquals(0, scribe.topicCount(), "a refused subscription leaves nothing behind");
    assertEquals(
        NotReadyException.Reason.NOT_JOINED,
        notReady(assertDoesNotThrow(() -> scribe.publish(topic, new byte[] {1}))).reason());
    assertEquals(
        NotReadyException.Reason.NOT_JOINED,
        notReady(assertDoesNotThrow(() -> scribe.anycast(topic, new byte[] {1}))).reason());

    // Once joined, the same calls succeed: the subscription completes when attached.
    ring.sim.runFor(30_000);
    assertTrue(joining.isReady());
    CompletableFuture<Void> attached = scribe.subscribe(topic, r).toCompletableFuture();
    ring.sim.runFor(10_000);
    assertTrue(attached.isDone() && !attached.isCompletedExceptionally());
    assertTrue(r.subscribed);
    CompletableFuture<Long> published = scribe.publish(topic, new byte[] {2}).toCompletableFuture();
    assertTrue(published.isDone());
    ring.sim.runFor(5_000);
    assertEquals(1, r.count(published.join()));
  }

  @Test
  void aStoppedScribeFailsPendingAndNewOperationsWithNotReady() {
    ScribeRing ring = ScribeRing.build(32, 10, ScribeConfig.defaults());
    TopicId topic = TopicId.named("alerts");
    SimulatedNode root = ring.sim.closestLiveNode(topic.id(), true);
    SimulatedNode n = ring.live().get(0) != root ? ring.live().get(0) : ring.live().get(1);
    Scribe scribe = ring.scribe(n);
    CompletableFuture<Void> pending =
        scribe.subscribe(topic, new ScribeRing.Recorder(n)).toCompletableFuture();
    assertFalse(pending.isDone(), "the join is under way");
    scribe.stop();
    assertEquals(NotReadyException.Reason.STOPPED, notReady(pending).reason());
    assertEquals(
        NotReadyException.Reason.STOPPED,
        notReady(scribe.subscribe(TopicId.named("other"), p -> {})).reason());
    assertEquals(
        NotReadyException.Reason.STOPPED, notReady(scribe.publish(topic, new byte[0])).reason());
    assertEquals(
        NotReadyException.Reason.STOPPED, notReady(scribe.anycast(topic, new byte[0])).reason());
    assertInstanceOf(ScribeException.class, notReady(scribe.publish(topic, new byte[0])));
  }
}
