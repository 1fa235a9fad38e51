package org.epost.overlay.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.epost.overlay.api.OffLoopExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link WorkerPool}: work runs on a worker, its outcome comes back on the loop. */
class WorkerPoolTest {
  private RealTimeLoop loop;
  private WorkerPool pool;

  @BeforeEach
  void start() {
    loop = new RealTimeLoop("pool-loop");
    pool = new WorkerPool("node", loop, 1, 1);
  }

  @AfterEach
  void stop() {
    pool.close();
    loop.close();
  }

  /** Submits on the loop (as loop code does) and records where and how the stage completed. */
  private <T> String outcome(Supplier<CompletionStage<T>> submitOnLoop) throws Exception {
    CompletableFuture<String> seen = new CompletableFuture<>();
    loop.execute(
        () ->
            submitOnLoop
                .get()
                .whenComplete(
                    (v, e) ->
                        seen.complete(
                            (e == null
                                    ? "value " + v
                                    : e.getClass().getSimpleName() + " " + e.getMessage())
                                + " on "
                                + Thread.currentThread().getName())));
    return seen.get(10, TimeUnit.SECONDS);
  }

  @Test
  void workRunsOnAWorkerAndItsResultCompletesOnTheLoop() throws Exception {
    OffLoopExecutor off = pool;
    assertEquals(
        "value ran on node-work-1 on pool-loop",
        outcome(() -> off.submit(() -> "ran on " + Thread.currentThread().getName())));
  }

  @Test
  void aThrowingTaskCompletesExceptionallyOnTheLoop() throws Exception {
    assertEquals(
        "IOException cannot read the block on pool-loop",
        outcome(
            () ->
                pool.submit(
                    () -> {
                      throw new IOException("cannot read the block");
                    })));
  }

  @Test
  void aSaturatedPoolRefusesWithAClearMessage() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch busy = new CountDownLatch(1);
    CompletableFuture<CompletionStage<String>> running = new CompletableFuture<>();
    loop.execute(
        () ->
            running.complete(
                pool.submit(
                    () -> {
                      busy.countDown();
                      release.await(10, TimeUnit.SECONDS);
                      return "first";
                    })));
    assertTrue(busy.await(10, TimeUnit.SECONDS)); // the one worker is busy
    CompletableFuture<CompletionStage<String>> queued = new CompletableFuture<>();
    loop.execute(() -> queued.complete(pool.submit(() -> "second"))); // fills the queue of one
    queued.get(10, TimeUnit.SECONDS);
    assertEquals(1, pool.queued());

    String refused = outcome(() -> pool.submit(() -> "third"));
    assertTrue(refused.startsWith("RejectedExecutionException "), refused);
    assertTrue(refused.contains("saturated"), refused);
    assertTrue(refused.contains("retry later"), refused);
    assertTrue(refused.endsWith(" on pool-loop"), refused);

    release.countDown();
    assertEquals("first", running.get().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals("second", queued.get().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }
}
