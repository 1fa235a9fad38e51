package org.epost.overlay.past;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.epost.overlay.api.Scheduler;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastException;

/**
 * Runs store operations on the injected storage executor (blocking disk I/O never runs on the
 * event loop) and hands each result back to the loop. In a simulation the executor runs the task
 * at once and the result still comes back as a loop event.
 */
final class StorageWorker {
  private final ObjectStore store;
  private final Executor executor;
  private final Scheduler loop;

  StorageWorker(ObjectStore store, Executor executor, Scheduler loop) {
    this.store = store;
    this.executor = executor;
    this.loop = loop;
  }

  ObjectStore store() {
    return store;
  }

  /** Runs {@code op} off the loop; {@code onLoop} gets (result, null) or (null, failure) on the loop. */
  <T> void submit(Callable<T> op, BiConsumer<T, RuntimeException> onLoop) {
    try {
      executor.execute(() -> {
        T result = null;
        RuntimeException failure = null;
        try {
          result = op.call();
        } catch (RuntimeException e) {
          failure = e;
        } catch (Exception e) {
          failure = new PastException.StorageException("store operation failed: " + e, e);
        }
        T r = result;
        RuntimeException f = failure;
        loop.execute(() -> onLoop.accept(r, f));
      });
    } catch (RejectedExecutionException e) {
      loop.execute(() -> onLoop.accept(null, new PastException.StorageException("storage executor is shut down", e)));
    }
  }
}
