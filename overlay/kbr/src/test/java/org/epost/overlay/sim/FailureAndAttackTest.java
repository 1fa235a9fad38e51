package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.FrameReceiver;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.Transport;
import org.junit.jupiter.api.Test;

/**
 * Abrupt failures on the route and at the bootstrap, and misbehaving peers attacking each bound.
 */
class FailureAndAttackTest {

  @Test
  void lookupsSurviveAbruptFailureOfNodesOnTheirRoutes() {
    Simulation sim = Simulation.builder().seed(21).build();
    RingHarness h = new RingHarness(sim);
    h.build(200, 100, 30_000);
    // A fifth of the ring dies at once; lookups start before anybody could notice.
    for (int i = 0; i < 40; i++) {
      sim.fail(sim.randomLiveNode());
    }
    for (int i = 0; i < 300; i++) {
      sim.schedule(i * 10L, h::lookup);
    }
    sim.runFor(60_000);
    long reroutes = 0;
    for (SimulatedNode n : sim.liveNodes()) {
      reroutes += n.overlay().statistics().reroutes();
    }
    assertTrue(reroutes > 0, "routes went through dead nodes and were rerouted");
    assertEquals(h.sent, h.delivered, "no lookup lost");
    assertEquals(0, h.wrongRoot, "each delivered to the closest live node");
  }

  @Test
  void joinRetriesThroughAnotherBootstrapWhenTheFirstDies() {
    Simulation sim = Simulation.builder().seed(22).build();
    RingHarness h = new RingHarness(sim);
    h.build(30, 100, 10_000);
    SimulatedNode deadBootstrap = sim.randomReadyNode();
    SimulatedNode goodBootstrap = sim.randomReadyNode();
    while (goodBootstrap == deadBootstrap) {
      goodBootstrap = sim.randomReadyNode();
    }
    SimulatedNode joiner =
        sim.addNode(
            Id.random(sim.random()), List.of(deadBootstrap.address(), goodBootstrap.address()));
    sim.fail(deadBootstrap); // dies before the join request reaches it
    sim.runFor(20_000);
    assertTrue(joiner.isReady(), "joined through the second bootstrap");
    assertTrue(joiner.overlay().leafSet().size() >= 24);
  }

  @Test
  void floodOfJoinRequestsIsRefusedBeyondTheAdmissionRate() {
    Simulation sim = Simulation.builder().seed(23).build();
    RingHarness h = new RingHarness(sim);
    h.build(50, 100, 10_000);
    SimulatedNode victim = sim.randomReadyNode();
    long sentBefore = sim.traffic().totalMessages();
    // An attacker sends 2000 join requests, each claiming a different fresh id.
    SimulatedNode attacker =
        sim.addRawNode(
            Id.random(sim.random()),
            env ->
                new FrameReceiver() {
                  @Override
                  public void receive(Address from, byte[] frame) {}
                });
    NodeEnvironment[] attackerEnv = new NodeEnvironment[1];
    sim.addRawNode(
        Id.random(sim.random()),
        env -> {
          attackerEnv[0] = env;
          return (from, frame) -> {};
        });
    for (int i = 0; i < 2000; i++) {
      Id fake = Id.random(sim.random());
      attackerEnv[0]
          .transport()
          .send(victim.address(), victim.id(), joinFrame(new NodeHandle(fake, attacker.address())));
    }
    sim.runFor(5_000);
    long refused = victim.overlay().statistics().refusedJoins();
    assertTrue(refused >= 1900, "refused " + refused + " of 2000");
    long caused = sim.traffic().totalMessages() - sentBefore - 2000;
    assertTrue(caused < 2000, "the flood must not be amplified: " + caused + " frames caused");
    for (int i = 0; i < 100; i++) {
      sim.schedule(i * 10L, h::lookup);
    }
    sim.runFor(20_000);
    assertEquals(h.sent, h.delivered, "the ring keeps working");
    assertEquals(0, h.wrongRoot);
  }

  @Test
  void nodeThatAnswersWithGarbageIsCountedAndRoutedAround() {
    Simulation sim = Simulation.builder().seed(24).build();
    RingHarness h = new RingHarness(sim);
    h.build(60, 100, 10_000);
    // The liar announces itself with a valid frame, then answers everything with garbage.
    SimulatedNode victim = sim.randomReadyNode();
    NodeEnvironment[] env = new NodeEnvironment[1];
    Id liarId = victim.id().add(Id.of(0, 0, 1)); // right next to the victim: it becomes a neighbour
    sim.addRawNode(
        liarId,
        e -> {
          env[0] = e;
          return (from, frame) -> {
            byte[] junk = new byte[1 + env[0].random().nextInt(200)];
            for (int i = 0; i < junk.length; i++) {
              junk[i] = (byte) env[0].random().nextInt(256);
            }
            junk[0] = 1;
            env[0].transport().send(from, null, junk); // answers whoever wrote, whatever its id
          };
        });
    env[0]
        .transport()
        .send(
            victim.address(),
            victim.id(),
            announceFrame(new NodeHandle(liarId, env[0].transport().localAddress())));
    sim.runFor(60_000);
    assertTrue(victim.overlay().statistics().malformedFrames() > 0, "garbage was counted");
    for (int i = 0; i < 200; i++) {
      sim.schedule(i * 10L, h::lookup);
    }
    sim.runFor(30_000);
    assertEquals(h.sent, h.delivered, "no lookup lost to the liar");
    assertTrue(
        victim.overlay().leafSet().stream().noneMatch(x -> x.id().equals(liarId)),
        "the liar was dropped from the leaf set");
  }

  @Test
  void transportRefusesOversizedFrames() {
    Simulation sim = Simulation.builder().seed(25).build();
    SimulatedNode a = sim.createRing();
    NodeEnvironment[] env = new NodeEnvironment[1];
    sim.addRawNode(
        Id.random(sim.random()),
        e -> {
          env[0] = e;
          return (from, frame) -> {};
        });
    assertThrows(
        IllegalArgumentException.class,
        () ->
            env[0].transport().send(a.address(), a.id(), new byte[Transport.MAX_FRAME_BYTES + 1]));
    env[0]
        .transport()
        .send(
            a.address(),
            a.id(),
            new byte
                [Transport.MAX_FRAME_BYTES]); // at the limit: delivered, then rejected as malformed
    sim.runFor(1_000);
    assertEquals(1, a.overlay().statistics().malformedFrames());
    assertTrue(a.isReady());
  }

  /** A JOIN frame as a (hostile) peer would write it, by hand from the documented wire format. */
  static byte[] joinFrame(NodeHandle joiner) {
    ByteBuffer b = ByteBuffer.allocate(4 + 2 * joiner.encodedLength() + 8 + 20 + 1 + 1);
    b.put((byte) 1).put((byte) 4).putShort((short) 0);
    joiner.write(b);
    b.putLong(joiner.id().hashCode());
    joiner.id().write(b);
    joiner.write(b);
    b.put((byte) 0).put((byte) 0);
    return b.array();
  }

  static byte[] announceFrame(NodeHandle self) {
    ByteBuffer b = ByteBuffer.allocate(4 + self.encodedLength() + 1);
    b.put((byte) 1).put((byte) 6).putShort((short) 0);
    self.write(b);
    b.put((byte) 0);
    return b.array();
  }
}
