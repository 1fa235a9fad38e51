package org.epost.overlay.realtime;

import java.security.SecureRandom;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Clock;
import org.epost.overlay.api.RandomSource;
import org.epost.overlay.api.Scheduler;

/**
 * A node's event loop in real mode: one named daemon thread runs every task, in submission order
 * for tasks due at the same time. {@link #nowMillis} is {@link System#nanoTime()} based (monotonic,
 * milliseconds since the loop started); {@link #wallMillis} is the host's calendar clock.
 * Randomness is seeded from {@link SecureRandom} once.
 *
 * <p>Thread-safety: {@link #execute} and {@link #schedule} may be called from any thread (e.g. a
 * TCP transport's I/O thread). A task that throws is reported to the uncaught-exception handler of
 * the loop's thread group and the loop continues. This package is exempt from the determinism check
 * because it is the real world.
 */
public final class RealTimeLoop implements Clock, Scheduler, AutoCloseable {
  private final ScheduledThreadPoolExecutor executor;
  private final long origin = System.nanoTime();
  private final SeededRandom random =
      new SeededRandom(new SplittableRandom(new SecureRandom().nextLong()));
  private final String name;
  private final Set<Scheduler.Abandonable> abandonable = ConcurrentHashMap.newKeySet();
  private volatile Thread thread;

  /** Starts a loop whose thread is called {@code name}. */
  public RealTimeLoop(String name) {
    this.name = name;
    executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              thread = t;
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public long nowMillis() {
    return (System.nanoTime() - origin) / 1_000_000;
  }

  @Override
  public long wallMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    if (delayMillis < 0) {
      throw new IllegalArgumentException("negative delay " + delayMillis);
    }
    ScheduledFuture<?> f;
    try {
      f = executor.schedule(guarded(task), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      forget(task);
      throw closed(e);
    }
    return () -> f.cancel(false);
  }

  /**
   * {@inheritDoc}
   *
   * @throws RejectedExecutionException once the loop is closed (never silently dropped, so that a
   *     {@link org.epost.overlay.api.LoopBridge} can report it to its caller)
   */
  @Override
  public void execute(Runnable task) {
    try {
      executor.execute(guarded(task));
    } catch (RejectedExecutionException e) {
      forget(task);
      throw closed(e);
    }
  }

  private RejectedExecutionException closed(RejectedExecutionException e) {
    return new RejectedExecutionException(
        "the event loop '" + name + "' is closed and takes no more tasks", e);
  }

  /** The loop's random source; use it only on the loop. */
  public RandomSource random() {
    return random;
  }

  @Override
  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /**
   * Stops the loop; queued tasks never run, those that are {@link Scheduler.Abandonable} are told
   * so, and {@link #execute} and {@link #schedule} throw {@link RejectedExecutionException} from
   * now on.
   */
  @Override
  public void close() {
    executor.shutdownNow();
    RejectedExecutionException why = closed(null);
    for (Scheduler.Abandonable task : abandonable) {
      if (abandonable.remove(task)) {
        task.abandoned(why);
      }
    }
  }

  private void forget(Runnable task) {
    if (task instanceof Scheduler.Abandonable) {
      abandonable.remove(task);
    }
  }

  private Runnable guarded(Runnable task) {
    if (task instanceof Scheduler.Abandonable) {
      abandonable.add((Scheduler.Abandonable) task);
    }
    return () -> {
      if (task instanceof Scheduler.Abandonable && !abandonable.remove(task)) {
        return; // abandoned by close() already
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, e);
      }
    };
  }

  private static final class SeededRandom implements RandomSource {
    private final SplittableRandom r;
    private final SecureRandom secure = new SecureRandom();

    @Override
    public SecureRandom secure() {
      return secure;
    }

    SeededRandom(SplittableRandom r) {
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
