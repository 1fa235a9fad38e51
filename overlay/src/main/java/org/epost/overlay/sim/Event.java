package org.epost.overlay.sim;

import org.epost.overlay.api.Cancellable;

/** One entry of the global event queue: runs {@code task} at {@code timeMicros} unless cancelled or its node died. */
final class Event implements Cancellable {
  final long timeMicros;
  final long sequence;
  final NodeContext owner; // null for the experiment driver's events
  final Runnable task;
  boolean cancelled;

  Event(long timeMicros, long sequence, NodeContext owner, Runnable task) {
    this.timeMicros = timeMicros;
    this.sequence = sequence;
    this.owner = owner;
    this.task = task;
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  boolean before(Event o) {
    return timeMicros < o.timeMicros || (timeMicros == o.timeMicros && sequence < o.sequence);
  }
}
