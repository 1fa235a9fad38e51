package org.epost.overlay.api;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The one way for code on other threads (IMAP and SMTP proxy workers, the CLI, the tray app) to use
 * a node: it runs work on the node's event loop and hands the result to an executor of the caller's
 * choice, so the caller's continuation never runs on the loop (where it could block it) and loop
 * code never runs on the caller's thread (where it would race the loop).
 *
 * <p>Thread-safety: every method may be called from any thread, including the loop itself (the work
 * is then queued behind the current task, never run re-entrantly).
 */
@AnyThread
public final class LoopBridge {
  private final Scheduler loop;

  public LoopBridge(Scheduler loop) {
    this.loop = Objects.requireNonNull(loop);
  }

  /**
   * Runs {@code work} on the loop; the stage it returns is followed on the loop, and its outcome
   * completes the returned future on {@code deliverOn}. An exception thrown by {@code work}, or a
   * null stage, completes the future exceptionally; a stage that fails hands over its cause (not a
   * {@link CompletionException} around it). If the loop has stopped and refuses the task, the
   * future completes exceptionally with the refusal at once; if the loop stops after accepting the
   * work but before running it, the future completes exceptionally with the loop's reason ({@link
   * Scheduler.Abandonable}). Work that started keeps the contract of the stage it returned (PAST
   * and Scribe fail their pending stages when they stop).
   */
  public <T> CompletableFuture<T> call(
      Supplier<? extends CompletionStage<T>> work, Executor deliverOn) {
    Objects.requireNonNull(work);
    Objects.requireNonNull(deliverOn);
    CompletableFuture<T> result = new CompletableFuture<>();
    Scheduler.Abandonable onLoop =
        new Scheduler.Abandonable() {
          @Override
          public void run() {
            CompletionStage<T> stage;
            try {
              stage = Objects.requireNonNull(work.get(), "the work returned no stage");
            } catch (RuntimeException e) {
              deliver(deliverOn, result, null, e);
              return;
            }
            stage.whenComplete((value, failure) -> deliver(deliverOn, result, value, failure));
          }

          @Override
          public void abandoned(RuntimeException why) {
            deliver(deliverOn, result, null, why);
          }
        };
    try {
      loop.execute(onLoop);
    } catch (RuntimeException refused) {
      result.completeExceptionally(refused);
    }
    return result;
  }

  /** Runs {@code work} on the loop and completes on {@code deliverOn} with its return value. */
  public <T> CompletableFuture<T> get(Supplier<T> work, Executor deliverOn) {
    Objects.requireNonNull(work);
    return call(() -> CompletableFuture.completedFuture(work.get()), deliverOn);
  }

  private static <T> void deliver(
      Executor deliverOn, CompletableFuture<T> result, T value, Throwable thrown) {
    // A dependent stage reports a failure wrapped in CompletionException: hand over the cause, so
    // that the caller can test its type (PastException's subclasses) directly.
    Throwable failure =
        thrown instanceof CompletionException && thrown.getCause() != null
            ? thrown.getCause()
            : thrown;
    try {
      deliverOn.execute(
          () -> {
            if (failure != null) {
              result.completeExceptionally(failure);
            } else {
              result.complete(value);
            }
          });
    } catch (RuntimeException refused) {
      // The caller's executor is gone (shut down): complete here rather than lose the outcome.
      result.completeExceptionally(refused);
    }
  }
}
