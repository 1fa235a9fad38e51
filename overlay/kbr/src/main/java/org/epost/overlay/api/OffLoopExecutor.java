package org.epost.overlay.api;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs heavy, self-contained work (encrypting or hashing a large block, parsing a MIME message)
 * away from the node's event loop, and completes the returned stage back on the loop, so loop code
 * continues exactly as if the work had been a method call that took a while.
 *
 * <p>The work must not touch protocol state: it receives copies of what it needs and returns a
 * value. In real mode it runs on a bounded pool of worker threads; in a simulation it runs inline
 * (the loop's virtual time does not move), so a seed still replays a run exactly.
 *
 * <p>Threading: call {@link #submit} on the loop; the stage completes on the loop.
 */
@LoopOnly
public interface OffLoopExecutor {
  /**
   * Runs {@code work} off the loop and completes the stage on the loop with its result, or
   * exceptionally with what it threw. When the pool is saturated the work waits in a bounded queue;
   * when that is full too the stage completes exceptionally with {@link
   * java.util.concurrent.RejectedExecutionException} (retry later).
   */
  <T> CompletionStage<T> submit(Callable<T> work);

  /** Runs each task inline on the calling (loop) thread: the simulation's executor. */
  static OffLoopExecutor inline() {
    return new OffLoopExecutor() {
      @Override
      public <T> CompletionStage<T> submit(Callable<T> work) {
        try {
          return CompletableFuture.completedFuture(work.call());
        } catch (Exception e) {
          return CompletableFuture.failedFuture(e);
        }
      }
    };
  }
}
