package org.epost.overlay.realtime;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.epost.overlay.api.OffLoopExecutor;
import org.epost.overlay.api.Scheduler;

/**
 * The real-mode {@link OffLoopExecutor}: a fixed pool of daemon threads named {@code <node>-work-N}
 * with a bounded queue. A task's outcome is handed back to the loop with {@link Scheduler#execute},
 * so the stage the loop sees completes on the loop.
 *
 * <p>Thread-safety: {@link #submit} may be called from any thread, though loop code is its only
 * intended caller. The pool holds no lock of its own beyond the executor's queue.
 */
public final class WorkerPool implements OffLoopExecutor, AutoCloseable {
  /** Tasks waiting for a worker beyond which {@link #submit} refuses. */
  public static final int DEFAULT_QUEUE_BOUND = 1024;

  private final String name;
  private final Scheduler loop;
  private final ThreadPoolExecutor executor;

  /**
   * A pool of {@code threads} workers (at least one) feeding results back to {@code loop}, with at
   * most {@code queueBound} tasks waiting.
   */
  public WorkerPool(String name, Scheduler loop, int threads, int queueBound) {
    if (threads < 1 || queueBound < 1) {
      throw new IllegalArgumentException("threads and queue bound must be positive");
    }
    this.name = name;
    this.loop = loop;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueBound),
            r -> {
              Thread t = new Thread(r, name + "-work-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** One worker per core but one (the loop keeps a core), at least one. */
  public static WorkerPool forNode(String name, Scheduler loop) {
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    return new WorkerPool(name, loop, threads, DEFAULT_QUEUE_BOUND);
  }

  @Override
  public <T> CompletionStage<T> submit(Callable<T> work) {
    CompletableFuture<T> onLoop = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            T value;
            try {
              value = work.call();
            } catch (Exception | Error e) {
              loop.execute(() -> onLoop.completeExceptionally(e));
              return;
            }
            loop.execute(() -> onLoop.complete(value));
          });
    } catch (RejectedExecutionException full) {
      onLoop.completeExceptionally(
          new RejectedExecutionException(
              "the worker pool '"
                  + name
                  + "' is saturated ("
                  + executor.getActiveCount()
                  + " running, "
                  + executor.getQueue().size()
                  + " waiting): retry later",
              full));
    }
    return onLoop;
  }

  /** Tasks waiting for a worker now. */
  public int queued() {
    return executor.getQueue().size();
  }

  /** Stops the workers; tasks not yet started are dropped and their stages never complete. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
