package org.epost.overlay.api;

/**
 * Runs tasks on the node's single event loop. All protocol state of a node is touched only from
 * tasks run here (and frame deliveries, which run on the same loop), so protocol code needs no
 * locks.
 *
 * <p>Tasks scheduled for the same instant run in the order they were scheduled. In a simulation,
 * tasks of a failed node never run.
 */
public interface Scheduler {
  /** Runs {@code task} on the loop after {@code delayMillis} (>= 0) milliseconds. */
  @LoopOnly
  Cancellable schedule(long delayMillis, Runnable task);

  /**
   * Runs {@code task} on the loop as soon as possible. This is the one method that may be called
   * from any thread (a TCP transport's I/O thread handing a frame to the loop, a {@link
   * LoopBridge}).
   */
  @AnyThread
  void execute(Runnable task);

  /**
   * True when the calling thread is the one running this loop's tasks (in a simulation: the thread
   * that drives the simulation). Loop-confined entry points check it through {@link
   * LoopConfinement#check}.
   */
  @AnyThread
  boolean inLoop();

  /**
   * A task that wants to know when the loop stops before running it. A loop that stops with such a
   * task queued calls {@link #abandoned} once (on the stopping thread) instead of dropping it
   * silently; {@link LoopBridge} uses it so that a caller's future fails rather than waits forever.
   * A simulation never stops its loop this way, so it never calls it.
   */
  interface Abandonable extends Runnable {
    /** The loop stopped before this task ran; it never will. */
    void abandoned(RuntimeException why);
  }
}
