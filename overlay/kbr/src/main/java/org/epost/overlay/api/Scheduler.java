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
}
