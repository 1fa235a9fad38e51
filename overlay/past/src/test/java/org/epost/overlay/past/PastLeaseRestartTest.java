package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.store.DiskObjectStore;
import org.epost.overlay.past.store.LogObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A lease is a wall time: it keeps its meaning when the node restarts and its monotonic clock
 * starts again from another origin. Runs PAST on the real disk stores, in a folder under {@code
 * target/}.
 */
class PastLeaseRestartTest {
  private static final long MINUTE = 60_000;
  private static final long HOUR = 60 * MINUTE;
  private static final Id NODE = Id.fromHex("5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");

  private static ObjectStore open(String kind, Path dir) {
    return kind.equals("log")
        ? LogObjectStore.open(dir, 1L << 24, 1L << 16, 1L << 22)
        : DiskObjectStore.open(dir, 1L << 24, 1L << 16);
  }

  private static void close(ObjectStore store) {
    if (store instanceof LogObjectStore log) {
      log.close();
    }
  }

  private static <T> T await(Simulation sim, CompletionStage<T> stage) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    for (int i = 0; i < 600 && !f.isDone(); i++) {
      sim.runFor(100);
    }
    return f.join();
  }

  @ParameterizedTest
  @ValueSource(strings = {"log", "disk"})
  void aLeaseEndsAtItsWallTimeAfterARestart(String kind) throws Exception {
    Files.createDirectories(Path.of("target"));
    Path dir = Files.createTempDirectory(Path.of("target"), "lease-restart-" + kind + "-");
    PastConfig config = PastConfig.defaults().withReplicas(1).withMaintenance(MINUTE, 5_000);
    byte[] content = new byte[1000];
    new SplittableRandom(7).nextBytes(content);

    // First run of the process: ten hours in, so that its monotonic clock is far from zero.
    Simulation first = Simulation.builder().seed(1).build();
    first.runFor(10 * HOUR);
    SimulatedNode node = first.createRing(NODE);
    ObjectStore store = open(kind, dir);
    Past past = PastNodes.create(node.overlay(), store, Runnable::run, config);
    first.runFor(MINUTE);
    long w = first.wallMillis() + 2 * HOUR;
    PastObject object = PastObject.immutable(content, w);
    assertEquals(1, await(first, past.insert(object)));
    past.stop();
    first.fail(node);
    close(store);
    long stoppedAt = first.wallMillis();

    // The restart: a new process whose monotonic clock starts at zero, a minute of wall time later.
    Simulation second = Simulation.builder().seed(2).epochMillis(stoppedAt + MINUTE).build();
    assertEquals(0, second.nowMillis());
    SimulatedNode again = second.createRing(NODE);
    ObjectStore reopened = open(kind, dir);
    Past past2 = PastNodes.create(again.overlay(), reopened, Runnable::run, config);
    try {
      second.runFor(w - 5 * MINUTE - second.wallMillis());
      assertNotNull(reopened.get(object.id()), "held until its wall expiry");
      assertArrayEquals(content, await(second, past2.lookup(object.id())).bytes());

      second.runFor(w + config.clockSkewToleranceMillis() + 3 * MINUTE - second.wallMillis());
      assertNull(reopened.get(object.id()), "collected once its wall expiry has passed");
      assertEquals(1, past2.statistics().objectsCollected());
    } finally {
      past2.stop();
      close(reopened);
    }
  }
}
