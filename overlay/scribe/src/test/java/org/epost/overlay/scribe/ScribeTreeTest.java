package org.epost.overlay.scribe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.epost.overlay.scribe.ScribeRing.Recorder;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.scribe.api.TopicView;
import org.epost.overlay.sim.SimulatedNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Trees on a quiet simulated ring of 100 nodes: subscribe, publish, unsubscribe, repair, anycast.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScribeTreeTest {
  private ScribeRing ring;

  @BeforeAll
  void buildRing() {
    ring = ScribeRing.build(11, 100, ScribeConfig.defaults());
  }

  @Test
  void everySubscriberGetsEveryPublicationExactlyOnce() {
    TopicId topic = TopicId.named("alice@ring.example/inbox");
    List<SimulatedNode> subs = ring.pick(15, List.of());
    Map<SimulatedNode, Recorder> rec = ring.subscribe(topic, subs);
    ring.sim.runFor(5_000);
    rec.values().forEach(r -> assertTrue(r.subscribed, "subscribed() called on " + r.node));
    assertEquals(1, ring.roots(topic).size());
    assertEquals(
        ring.sim.closestLiveNode(topic.id(), true),
        ring.roots(topic).get(0),
        "root is the key's closest node");

    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(ring.publish(ring.sim.randomReadyNode(), topic, "notification " + i));
      ring.sim.runFor(200);
    }
    ring.sim.runFor(5_000);
    for (Recorder r : rec.values()) {
      for (long id : ids) {
        assertEquals(1, r.count(id), r.node + " receives publication " + id + " once");
      }
      assertEquals(ids.size(), r.received.size());
    }
    for (SimulatedNode n : ring.live()) {
      assertEquals(
          subs.contains(n), ring.scribe(n).subscriptions().contains(topic), n + " subscriptions");
    }
  }

  @Test
  void unsubscribeStopsDeliveryAndPrunesTheTree() {
    TopicId topic = TopicId.named("prune-me");
    List<SimulatedNode> subs = ring.pick(8, List.of());
    Map<SimulatedNode, Recorder> rec = ring.subscribe(topic, subs);
    ring.sim.runFor(5_000);
    List<SimulatedNode> leaving = subs.subList(0, 4);
    for (SimulatedNode n : leaving) {
      ring.scribe(n).unsubscribe(topic);
    }
    ring.sim.runFor(2_000);
    long id = ring.publish(ring.sim.randomReadyNode(), topic, "after unsubscribe");
    ring.sim.runFor(5_000);
    for (SimulatedNode n : subs) {
      assertEquals(
          leaving.contains(n) ? 0 : 1,
          rec.get(n).count(id),
          n + (leaving.contains(n) ? " left" : " stayed"));
    }
    // Every node still in the tree is the root, a subscriber, or forwards for children.
    for (SimulatedNode n : ring.treeMembers(topic)) {
      TopicView v = ring.scribe(n).view(topic);
      assertTrue(
          v.role() == TopicView.Role.ROOT || v.subscribed() || !v.children().isEmpty(),
          n + " pruned");
    }
    for (SimulatedNode n : subs.subList(4, 8)) {
      ring.scribe(n).unsubscribe(topic);
    }
    // The root keeps an empty tree for the resend window, then forgets it too.
    ring.sim.runFor(ring.config.bufferWindowMillis() + 3 * ring.config.heartbeatMillis());
    assertEquals(List.of(), ring.treeMembers(topic));
  }

  @Test
  void aChildWhoseParentFailsRejoinsAndMissesNothing() {
    TopicId topic = TopicId.named("parent-failure");
    List<SimulatedNode> subs = ring.pick(12, List.of());
    Map<SimulatedNode, Recorder> rec = ring.subscribe(topic, subs);
    ring.sim.runFor(5_000);
    // A subscriber whose parent is an interior node (not the root).
    SimulatedNode child = null;
    SimulatedNode parent = null;
    for (SimulatedNode s : subs) {
      TopicView v = ring.scribe(s).view(topic);
      if (v.role() == TopicView.Role.ATTACHED
          && ring.node(v.parent()) != ring.roots(topic).get(0)) {
        child = s;
        parent = ring.node(v.parent());
        break;
      }
    }
    assertNotNull(child, "some subscriber hangs below an interior node");
    long before = ring.scribe(child).statistics().rejoins();
    ring.sim.fail(parent);
    ring.sim.runFor(100);
    long missed = ring.publish(ring.roots(topic).get(0), topic, "while the parent is dead");
    ring.sim.runFor(15_000);
    TopicView v = ring.scribe(child).view(topic);
    assertEquals(TopicView.Role.ATTACHED, v.role());
    assertNotEquals(parent.handle(), v.parent());
    assertTrue(ring.scribe(child).statistics().rejoins() > before);
    long after = ring.publish(ring.sim.randomReadyNode(), topic, "after repair");
    ring.sim.runFor(5_000);
    for (SimulatedNode s : subs) {
      if (s != parent) {
        assertEquals(
            1, rec.get(s).count(missed), s + " got the publication made during the repair");
        assertEquals(1, rec.get(s).count(after), s + " got the publication after the repair");
      }
    }
  }

  @Test
  void aFailedRootIsReplacedByTheNewClosestNode() {
    TopicId topic = TopicId.named("root-failure");
    SimulatedNode oldRoot = ring.sim.closestLiveNode(topic.id(), true);
    List<SimulatedNode> subs = ring.pick(10, List.of(oldRoot));
    Map<SimulatedNode, Recorder> rec = ring.subscribe(topic, subs);
    ring.sim.runFor(5_000);
    assertEquals(List.of(oldRoot), ring.roots(topic));
    ring.sim.fail(oldRoot);
    ring.sim.runFor(200);
    long during = ring.publish(ring.sim.randomReadyNode(), topic, "while the root is dead");
    ring.sim.runFor(40_000);
    SimulatedNode newRoot = ring.sim.closestLiveNode(topic.id(), true);
    assertEquals(List.of(newRoot), ring.roots(topic));
    long after = ring.publish(ring.sim.randomReadyNode(), topic, "to the new root");
    ring.sim.runFor(5_000);
    for (Recorder r : rec.values()) {
      assertEquals(
          1, r.count(during), r.node + " got the publication made while the root was dead");
      assertEquals(1, r.count(after), r.node + " got the publication sent to the new root");
    }
  }

  @Test
  void anycastReachesOneSubscriberThatAccepts() throws Exception {
    TopicId topic = TopicId.named("anycast");
    List<SimulatedNode> subs = ring.pick(10, List.of());
    Map<SimulatedNode, Recorder> rec = ring.subscribe(topic, subs);
    ring.sim.runFor(5_000);
    SimulatedNode taker = subs.get(7);
    rec.get(taker).acceptAnycast = true;
    SimulatedNode sender = ring.pick(1, subs).get(0);
    var result = ring.scribe(sender).anycast(topic, new byte[] {1, 2, 3}).toCompletableFuture();
    ring.sim.runFor(10_000);
    assertTrue(result.isDone());
    assertTrue(result.get().accepted(), "outcome " + result.get().outcome());
    assertEquals(taker.handle(), result.get().acceptor().orElseThrow());
    assertEquals(1, rec.values().stream().mapToInt(r -> r.anycastsAccepted).sum());

    // When everybody accepts, exactly one subscriber is asked and takes it.
    rec.values()
        .forEach(
            r -> {
              r.acceptAnycast = true;
              r.anycastsOffered = 0;
              r.anycastsAccepted = 0;
            });
    var second = ring.scribe(sender).anycast(topic, new byte[0]).toCompletableFuture();
    ring.sim.runFor(10_000);
    assertTrue(second.get().accepted());
    assertEquals(1, rec.values().stream().mapToInt(r -> r.anycastsOffered).sum());

    // When nobody accepts, every subscriber is asked once and the sender learns there is no taker.
    rec.values()
        .forEach(
            r -> {
              r.acceptAnycast = false;
              r.anycastsOffered = 0;
            });
    var third = ring.scribe(sender).anycast(topic, new byte[0]).toCompletableFuture();
    ring.sim.runFor(10_000);
    assertEquals(
        org.epost.overlay.scribe.api.AnycastResult.Outcome.NO_TAKER, third.get().outcome());
    rec.values().forEach(r -> assertEquals(1, r.anycastsOffered, r.node + " asked once"));
  }

  @Test
  void aTopicWithoutSubscribersHasNoTaker() throws Exception {
    var result =
        ring.scribe(ring.sim.randomReadyNode())
            .anycast(TopicId.named("nobody"), new byte[0])
            .toCompletableFuture();
    ring.sim.runFor(10_000);
    assertEquals(
        org.epost.overlay.scribe.api.AnycastResult.Outcome.NO_TAKER, result.get().outcome());
  }
}
