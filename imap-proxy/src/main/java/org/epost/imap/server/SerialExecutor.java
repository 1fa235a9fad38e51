package org.epost.imap.server;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: a connection's commands and
 * change notifications never run concurrently and need no locks, yet an idle connection holds no
 * thread. The queue is bounded by the caller (the channel stops reading when too many commands
 * wait).
 *
 * <p>A task may {@link #runAfter defer} the next step of its connection (a delayed answer to a
 * failed login): the connection's queue then waits on a timer, holding no thread. A task that
 * throws never stalls the queue: the failure goes to the handler given at construction (which
 * closes the connection) and the next task runs.
 */
final class SerialExecutor implements Executor {
  private static final System.Logger LOG = System.getLogger(SerialExecutor.class.getName());
  private final Executor pool;
  private final ScheduledExecutorService timer;
  private final Consumer<Throwable> onFailure;
  private final Deque<Runnable> tasks = new ArrayDeque<>();
  private boolean running;
  private long deferMillis = -1;

  SerialExecutor(Executor pool) {
    this(pool, null, e -> {});
  }

  SerialExecutor(Executor pool, ScheduledExecutorService timer, Consumer<Throwable> onFailure) {
    this.pool = pool;
    this.timer = timer;
    this.onFailure = onFailure;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      tasks.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    pool.execute(this::drain);
  }

  /**
   * From inside a running task: runs {@code task} after {@code millis}, before anything else queued
   * for this connection; the queue holds no thread meanwhile.
   */
  void runAfter(long millis, Runnable task) {
    synchronized (this) {
      tasks.addFirst(task);
      deferMillis = Math.max(0, millis);
    }
  }

  /** Runs {@code task} on the timer after {@code millis} (outside the queue), or returns null. */
  java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long millis) {
    if (timer == null) {
      return null;
    }
    try {
      return timer.schedule(task, millis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      return null;
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (this) {
        if (deferMillis >= 0) {
          long d = deferMillis;
          deferMillis = -1;
          // running stays true: new tasks queue up behind the deferred one
          try {
            timer.schedule(() -> pool.execute(this::drain), d, TimeUnit.MILLISECONDS);
          } catch (RejectedExecutionException closing) {
            // the server is shutting down; the connection goes with it
          }
          return;
        }
        next = tasks.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (Throwable e) {
        // even an OutOfMemoryError: this connection is closed, the others and the thread go on
        try {
          LOG.log(Level.WARNING, "a connection task failed; closing the connection", e);
          onFailure.accept(e);
        } catch (Throwable ignored) {
          // closing is best effort; the queue must go on
        }
      }
    }
  }
}
