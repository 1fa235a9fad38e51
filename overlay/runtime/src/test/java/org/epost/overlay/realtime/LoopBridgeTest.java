package org.epost.overlay.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.api.LoopBridge;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link LoopBridge} on a real {@link RealTimeLoop}. */
class LoopBridgeTest {
  private RealTimeLoop loop;
  private ExecutorService caller;
  private LoopBridge bridge;

  @BeforeEach
  void start() {
    loop = new RealTimeLoop("bridge-loop");
    caller = Executors.newSingleThreadExecutor(r -> new Thread(r, "caller-executor"));
    bridge = new LoopBridge(loop);
  }

  @AfterEach
  void stop() {
    loop.close();
    caller.shutdownNow();
  }

  @Test
  void workRunsOnTheLoopAndTheResultArrivesOnTheChosenExecutor() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<String> f =
        bridge.get(
            () -> {
              await(go); // hold the loop until the continuation below is in place
              return loop.inLoop() ? "ran on " + Thread.currentThread().getName() : "off the loop";
            },
            caller);
    CompletableFuture<String> seen = f.thenApply(v -> v + ", delivered on " + thread());
    go.countDown();
    assertEquals(
        "ran on bridge-loop, delivered on caller-executor", seen.get(10, TimeUnit.SECONDS));
  }

  @Test
  void anExceptionThrownByTheWorkFailsTheFutureOnTheChosenExecutor() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<Object> f =
        bridge.get(
            () -> {
              await(go);
              throw new IllegalArgumentException("no such mailbox");
            },
            caller);
    CompletableFuture<String> seen =
        f.handle((v, e) -> e.getClass().getSimpleName() + " " + e.getMessage() + " on " + thread());
    go.countDown();
    assertEquals(
        "IllegalArgumentException no such mailbox on caller-executor",
        seen.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aFailedStageFailsTheFutureWithItsCauseUnwrapped() throws Exception {
    // A dependent stage reports its failure wrapped in CompletionException; the bridge unwraps
    // it, so a caller tests the cause's type directly.
    CompletableFuture<Integer> source = new CompletableFuture<>();
    CompletableFuture<Integer> f = bridge.call(() -> source.thenApply(x -> x + 1), caller);
    loop.execute(() -> source.completeExceptionally(new IOException("disk gone")));
    CompletableFuture<Throwable> seen = f.handle((v, e) -> e);
    Throwable e = seen.get(10, TimeUnit.SECONDS);
    assertInstanceOf(IOException.class, e);
    assertEquals("disk gone", e.getMessage());

    ExecutionException direct =
        assertThrows(
            ExecutionException.class,
            () ->
                bridge
                    .call(() -> CompletableFuture.failedFuture(new IOException("x")), caller)
                    .get(10, TimeUnit.SECONDS));
    assertInstanceOf(IOException.class, direct.getCause());
  }

  @Test
  void workThatReturnsNoStageFailsTheFuture() {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> bridge.<Integer>call(() -> null, caller).get(10, TimeUnit.SECONDS));
    assertInstanceOf(NullPointerException.class, e.getCause());
  }

  @Test
  void calledFromTheLoopItselfTheWorkIsQueuedNotRunReentrantly() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    CompletableFuture<CompletableFuture<String>> inner = new CompletableFuture<>();
    loop.execute(
        () -> {
          order.add("task starts");
          inner.complete(
              bridge.get(
                  () -> {
                    order.add("bridged work");
                    return "done";
                  },
                  caller));
          order.add("task ends");
        });
    assertEquals("done", inner.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS));
    assertEquals(List.of("task starts", "task ends", "bridged work"), order);
  }

  @Test
  void aClosedLoopRefusesTasksAndTheBridgeReportsIt() throws Exception {
    loop.close();
    RejectedExecutionException refused =
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> {}));
    assertTrue(refused.getMessage().contains("bridge-loop"), refused.getMessage());
    assertThrows(RejectedExecutionException.class, () -> loop.schedule(10, () -> {}));

    CompletableFuture<String> f = bridge.get(() -> "never", caller);
    assertTrue(f.isCompletedExceptionally(), "completed at once, not left hanging");
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(RejectedExecutionException.class, e.getCause());
  }

  @Test
  void workQueuedWhenTheLoopClosesFailsItsFutureInsteadOfHanging() throws Exception {
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loop.execute(
        () -> {
          busy.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertTrue(busy.await(10, TimeUnit.SECONDS));
    CompletableFuture<String> queued = bridge.get(() -> "never", caller);
    loop.close(); // interrupts the busy task; the bridged work is still queued behind it
    release.countDown();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> queued.get(10, TimeUnit.SECONDS));
    assertInstanceOf(RejectedExecutionException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("bridge-loop"), e.getCause().getMessage());
  }

  @Test
  void aCallerExecutorThatIsShutDownStillGetsTheOutcome() throws Exception {
    caller.shutdown();
    CompletableFuture<String> f = bridge.get(() -> "value", caller);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    assertInstanceOf(RejectedExecutionException.class, e.getCause());
  }

  private static String thread() {
    return Thread.currentThread().getName();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
