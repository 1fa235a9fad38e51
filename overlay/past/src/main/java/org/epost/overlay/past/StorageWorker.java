package org.epost.overlay.past;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.epost.overlay.api.Scheduler;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.store.GroupCommit;

/**
 * Runs store operations on the injected storage executor (blocking disk I/O never runs on the event
 * loop) and hands each result back to the loop. In a simulation the executor runs the task at once
 * and the result still comes back as a loop event.
 *
 * <p>Group commit (ADR 0087): operations queue here, and one executor task at a time drains up to
 * {@link #MAX_BATCH} of them. If the store supports {@link GroupCommit}, the drained operations run
 * inside one batch and a single sync makes all their writes durable; only after that sync are their
 * results posted to the loop, so an acknowledgement still means "on disk". If the sync fails, every
 * operation of the batch reports the failure. Operations run in submission order, one at a time
 * (the store is called from one thread at a time, as before).
 *
 * <p>Threads: {@link #submit} on the loop (or any thread); the drain on the executor. The queue is
 * bounded by what the loop submits; PAST bounds that by its own in-flight limits.
 */
final class StorageWorker {
  /** Most operations one batch runs before its sync. */
  static final int MAX_BATCH = 64;

  private final ObjectStore store;
  private final Executor executor;
  private final Scheduler loop;
  private final ArrayDeque<Op<?>> queue = new ArrayDeque<>(); // guarded by this
  private boolean draining; // guarded by this: a drain task is scheduled or running

  StorageWorker(ObjectStore store, Executor executor, Scheduler loop) {
    this.store = store;
    this.executor = executor;
    this.loop = loop;
  }

  ObjectStore store() {
    return store;
  }

  /**
   * Runs {@code op} off the loop; {@code onLoop} gets (result, null) or (null, failure) on the
   * loop.
   */
  <T> void submit(Callable<T> op, BiConsumer<T, RuntimeException> onLoop) {
    synchronized (this) {
      queue.add(new Op<>(op, onLoop));
      if (draining) {
        return;
      }
      draining = true;
    }
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      List<Op<?>> dropped;
      synchronized (this) {
        dropped = new ArrayList<>(queue);
        queue.clear();
        draining = false;
      }
      for (Op<?> o : dropped) {
        o.fail(new PastException.StorageException("storage executor is shut down", e));
        o.post(loop);
      }
    }
  }

  /** On the executor: runs one batch, syncs it, posts its results; reschedules if more queued. */
  private void drain() {
    List<Op<?>> batch = new ArrayList<>();
    synchronized (this) {
      while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
        batch.add(queue.poll());
      }
    }
    GroupCommit group = store instanceof GroupCommit ? (GroupCommit) store : null;
    if (group != null) {
      group.beginBatch();
    }
    for (Op<?> o : batch) {
      o.run();
    }
    if (group != null) {
      try {
        group.commit();
      } catch (RuntimeException e) {
        for (Op<?> o : batch) {
          o.fail(e); // nothing of this batch may be acknowledged
        }
      }
    }
    for (Op<?> o : batch) {
      o.post(loop);
    }
    boolean more;
    synchronized (this) {
      more = !queue.isEmpty();
      draining = more;
    }
    if (more) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        synchronized (this) {
          draining = false;
        }
        submitFailureOfQueued(e);
      }
    }
  }

  private void submitFailureOfQueued(RejectedExecutionException e) {
    List<Op<?>> dropped;
    synchronized (this) {
      dropped = new ArrayList<>(queue);
      queue.clear();
    }
    for (Op<?> o : dropped) {
      o.fail(new PastException.StorageException("storage executor is shut down", e));
      o.post(loop);
    }
  }

  /** One queued operation and, once run, its outcome. */
  private static final class Op<T> {
    private final Callable<T> call;
    private final BiConsumer<T, RuntimeException> onLoop;
    private T result;
    private RuntimeException failure;

    Op(Callable<T> call, BiConsumer<T, RuntimeException> onLoop) {
      this.call = call;
      this.onLoop = onLoop;
    }

    void run() {
      try {
        result = call.call();
      } catch (RuntimeException e) {
        failure = e;
      } catch (Exception e) {
        failure = new PastException.StorageException("store operation failed: " + e, e);
      }
    }

    void fail(RuntimeException e) {
      result = null;
      failure = e;
    }

    void post(Scheduler loop) {
      T r = result;
      RuntimeException f = failure;
      loop.execute(() -> onLoop.accept(r, f));
    }
  }
}
