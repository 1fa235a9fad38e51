package org.epost.overlay.realtime;

import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Clock;
import org.epost.overlay.api.RandomSource;
import org.epost.overlay.api.Scheduler;

/**
 * A node's event loop in real mode: one daemon thread that runs every task of the node, a
 * monotonic clock, and a randomness source seeded from {@link SecureRandom}. A task that throws is
 * logged and the loop goes on (one bad frame must not stop a node).
 *
 * <p>Threading: {@link #execute} and {@link #schedule} may be called from any thread;
 * {@link #random()} only on the loop (it is not thread-safe, as {@link RandomSource} says).
 */
public final class RealTimeLoop implements Clock, Scheduler, AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.epost.overlay.realtime");

  private final ScheduledThreadPoolExecutor executor;
  private final long originNanos = System.nanoTime();
  private final LoopRandom random;

  /** A loop whose thread is called {@code name}. */
  public RealTimeLoop(String name) {
    executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    random = new LoopRandom(new SplittableRandom(new SecureRandom().nextLong()));
  }

  @Override
  public long nowMillis() {
    return (System.nanoTime() - originNanos) / 1_000_000;
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    if (delayMillis < 0) {
      throw new IllegalArgumentException("negative delay " + delayMillis);
    }
    if (executor.isShutdown()) {
      return () -> {};
    }
    Future<?> f = executor.schedule(guard(task), delayMillis, TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void execute(Runnable task) {
    if (!executor.isShutdown()) {
      executor.execute(guard(task));
    }
  }

  /** The node's randomness; use on the loop only. */
  public RandomSource random() {
    return random;
  }

  private static Runnable guard(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.log(Level.ERROR, "task on the node loop failed; the loop goes on", e);
      }
    };
  }

  /** Stops the loop; pending tasks are dropped. Waits up to a second for a running task. */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class LoopRandom implements RandomSource {
    private final SplittableRandom r;

    LoopRandom(SplittableRandom r) {
      this.r = r;
    }

    @Override
    public long nextLong() {
      return r.nextLong();
    }

    @Override
    public int nextInt(int bound) {
      return r.nextInt(bound);
    }

    @Override
    public double nextDouble() {
      return r.nextDouble();
    }
  }
}
