package org.epost.overlay.scribe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.RoutedMessage;
import org.epost.overlay.scribe.ScribeMessage.Join;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.ScribeException;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.scribe.api.TopicView;
import org.epost.overlay.sim.SimulatedNode;
import org.junit.jupiter.api.Test;

/** A flood of subscribe requests cannot grow a node's state beyond its configured bounds. */
class ScribeBoundsTest {
  private static final int MAX_CHILDREN = 4;
  private static final int MAX_TOPICS = 16;

  @Test
  void aFloodOfJoinsIsBoundedAndForgottenWhenTheJoinersFallSilent() {
    ScribeConfig config = ScribeConfig.defaults().withBounds(MAX_CHILDREN, MAX_TOPICS);
    ScribeRing ring = new ScribeRing(21, config);
    SimulatedNode first = ring.sim.createRing();
    ring.attach(first);
    List<SimulatedNode> attackers = new ArrayList<>();
    for (int i = 1; i < 40; i++) {
      ring.sim.runFor(150);
      SimulatedNode n = ring.sim.addNode();
      if (i < 10) {
        ring.attach(n);
      } else {
        attackers.add(
            n); // these speak Scribe's wire format but run no Scribe: they never heartbeat
      }
    }
    ring.sim.runFor(30_000);
    SimulatedNode target = ring.live().get(3);
    Scribe victim = ring.scribe(target);
    List<AppEndpoint> raw = new ArrayList<>();
    for (SimulatedNode a : attackers) {
      raw.add(
          a.overlay()
              .register(
                  config.applicationId(),
                  new OverlayApplication() {
                    @Override
                    public void deliver(RoutedMessage message) {}
                  }));
    }
    // 30 nodes each ask the target directly to adopt them in 200 different topics.
    for (int topic = 0; topic < 200; topic++) {
      TopicId t = TopicId.named("flood-" + topic);
      for (AppEndpoint ep : raw) {
        ep.sendDirect(target.handle(), ScribeCodec.encode(new Join(t, false, new long[0], 0)));
      }
      ring.sim.runFor(10);
    }
    ring.sim.runFor(1_000);
    assertEquals(MAX_TOPICS, victim.topicCount(), "topics taken up to the bound, no further");
    assertTrue(victim.statistics().joinsRefused() > 0);
    for (int topic = 0; topic < 200; topic++) {
      TopicView v = victim.view(TopicId.named("flood-" + topic));
      if (v != null) {
        assertTrue(
            v.children().size() <= MAX_CHILDREN, "children per topic " + v.children().size());
      }
    }
    for (Scribe s : ring.scribes.values()) {
      assertTrue(s.topicCount() <= MAX_TOPICS, "every node stays within its topic bound");
    }
    // The joiners never send heartbeats: their state is dropped and the trees pruned everywhere.
    ring.sim.runFor(
        config.childTimeoutMillis() + config.bufferWindowMillis() + 4 * config.heartbeatMillis());
    for (Scribe s : ring.scribes.values()) {
      assertEquals(0, s.topicCount());
    }
    // The bound also protects local subscribers with a clear error.
    for (int i = 0; i < MAX_TOPICS; i++) {
      victim.subscribe(TopicId.named("own-" + i), p -> {});
    }
    // ... through the returned stage, not by a throw.
    var tooMany = victim.subscribe(TopicId.named("one too many"), p -> {}).toCompletableFuture();
    java.util.concurrent.CompletionException e =
        assertThrows(java.util.concurrent.CompletionException.class, tooMany::join);
    assertTrue(e.getCause() instanceof ScribeException.TopicLimitException, e.toString());
    assertTrue(e.getCause().getMessage().contains("maximum"));
  }

  @Test
  void oversizedPayloadsAreRefused() {
    ScribeRing ring = ScribeRing.build(3, 5, ScribeConfig.defaults());
    Scribe s = ring.scribe(ring.live().get(0));
    byte[] big = new byte[ScribeConfig.defaults().maxPayloadBytes() + 1];
    assertThrows(IllegalArgumentException.class, () -> s.publish(TopicId.named("t"), big));
    assertThrows(IllegalArgumentException.class, () -> s.anycast(TopicId.named("t"), big));
  }
}
