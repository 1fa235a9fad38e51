package org.epost.overlay.api;

/** A scheduled task that has not run yet can be cancelled; cancelling later is harmless. */
public interface Cancellable {
  /** Prevents the task from running if it has not started. Idempotent. */
  void cancel();
}
