package org.epost.overlay.past.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.LoopBridge;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.RoutedMessage;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.scribe.ScribeFactory;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loop-confined entry points (PAST, Scribe, the key-based router) refuse a caller on another thread
 * at once, with a message that names the fix, on a real node (event loop and TLS over loopback TCP)
 * and in a simulation; through {@link LoopBridge} the same calls work.
 */
class LoopConfinementTest {
  private static final TopicId TOPIC = TopicId.named("confinement");

  /** Not a router application: it only holds the endpoint a wrong caller would use. */
  private static final OverlayApplication NOTHING =
      new OverlayApplication() {
        @Override
        public void deliver(RoutedMessage message) {}
      };

  @Test
  void realNodeRefusesCallsFromAnotherThreadAndServesThemThroughTheBridge(@TempDir Path dir)
      throws Exception {
    ExecutorService caller = Executors.newSingleThreadExecutor(r -> new Thread(r, "caller"));
    try (PastTcpRing ring = new PastTcpRing(2, dir)) {
      PastTcpRing.Member m = ring.members.get(0);
      Scribe scribe = PastTcpRing.on(m, () -> ScribeFactory.create(m.node));
      AppEndpoint endpoint = PastTcpRing.on(m, () -> m.node.register(77, NOTHING));
      Id id = Id.fromHex("0123456789abcdef0123456789abcdef01234567");

      // The test thread is not the loop: every entry point throws, synchronously.
      assertRefused("Past.lookup", () -> m.past.lookup(id));
      assertRefused("Past.insert", () -> m.past.insert(PastObject.immutable(new byte[8], 1)));
      assertRefused("Scribe.publish", () -> scribe.publish(TOPIC, new byte[] {1}));
      assertRefused("Scribe.subscribe", () -> scribe.subscribe(TOPIC, p -> {}));
      assertRefused("AppEndpoint.route", () -> endpoint.route(id, new byte[] {1}, null));
      assertRefused("KeyBasedRouter.leafSet", m.node::leafSet);
      assertRefused("OverlayNode.join", () -> m.node.join(List.of()));

      // Through the bridge: the work runs on the loop, the answer arrives on the caller's executor.
      LoopBridge bridge = new LoopBridge(m.loop);
      PastObject o = PastObject.immutable(new byte[] {4, 2}, Long.MAX_VALUE / 4);
      int stored = bridge.call(() -> m.past.insert(o), caller).get(20, TimeUnit.SECONDS);
      assertTrue(stored >= 1, "stored on " + stored);
      // Hold the loop until the continuation is attached: a lookup answered from the node's own
      // replica could otherwise complete first, and the continuation would run on this thread.
      CountDownLatch attached = new CountDownLatch(1);
      m.loop.execute(
          () -> {
            try {
              attached.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      CompletableFuture<String> where =
          bridge
              .call(() -> m.past.lookup(o.id()), caller)
              .thenApply(got -> got.bytes().length + " on " + Thread.currentThread().getName());
      attached.countDown();
      assertEquals("2 on caller", where.get(20, TimeUnit.SECONDS));
      bridge.get(() -> scribe.publish(TOPIC, new byte[] {1}), caller).get(5, TimeUnit.SECONDS);
      bridge
          .get(
              () -> {
                endpoint.route(id, new byte[] {1}, null);
                return null;
              },
              caller)
          .get(5, TimeUnit.SECONDS);
      PastTcpRing.on(
          m,
          () -> {
            scribe.stop();
            return null;
          });
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void simulatedNodeRefusesCallsFromAThreadThatDoesNotDriveTheSimulation() throws Exception {
    Simulation sim = Simulation.builder().seed(13).build();
    List<SimulatedNode> nodes = new ArrayList<>();
    nodes.add(sim.createRing());
    for (int i = 1; i < 4; i++) {
      sim.runFor(200);
      nodes.add(sim.addNode());
    }
    sim.runFor(3_000);
    OverlayNode node = nodes.get(1).overlay();
    Past past =
        PastNodes.create(
            node, new MemoryObjectStore(1 << 20), Runnable::run, PastConfig.defaults());
    Scribe scribe = ScribeFactory.create(node);
    AppEndpoint endpoint = node.register(77, NOTHING);
    sim.runFor(1_000);
    Id id = Id.fromHex("0123456789abcdef0123456789abcdef01234567");

    // The thread that drives the simulation is every simulated node's loop: the calls pass.
    assertNotNull(past.lookup(id));
    scribe.publish(TOPIC, new byte[] {1});
    endpoint.route(id, new byte[] {1}, null);
    sim.runFor(1_000);

    // Any other thread is refused.
    ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "other"));
    try {
      List<Consumer<Void>> calls =
          List.of(
              v -> assertRefused("Past.lookup", () -> past.lookup(id)),
              v -> assertRefused("Scribe.publish", () -> scribe.publish(TOPIC, new byte[] {1})),
              v -> assertRefused("AppEndpoint.route", () -> endpoint.route(id, new byte[1], null)),
              v -> assertRefused("KeyBasedRouter.replicaSet", () -> node.replicaSet(id, 3)));
      for (Consumer<Void> c : calls) {
        other.submit(() -> c.accept(null)).get(10, TimeUnit.SECONDS);
      }
    } finally {
      other.shutdownNow();
    }
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void assertRefused(String entry, Call call) {
    Throwable thrown = null;
    try {
      call.run();
    } catch (Throwable t) {
      thrown = t;
    }
    assertNotNull(thrown, entry + " ran on thread " + Thread.currentThread().getName());
    IllegalStateException e = assertInstanceOf(IllegalStateException.class, thrown);
    assertTrue(e.getMessage().contains(entry), e.getMessage());
    assertTrue(e.getMessage().contains("LoopBridge"), e.getMessage());
    assertTrue(e.getMessage().contains(Thread.currentThread().getName()), e.getMessage());
  }
}
