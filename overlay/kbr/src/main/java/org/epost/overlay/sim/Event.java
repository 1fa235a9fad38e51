package org.epost.overlay.sim;

import org.epost.overlay.api.Address;
import org.epost.overlay.api.Cancellable;

/**
 * One entry of the global event queue: runs {@code task} (a timer), or hands {@code frame} to the
 * owner's receiver (a frame in flight), at {@code timeMicros} unless cancelled or its node died. A
 * node's pending timers are also chained in a list on its {@link NodeContext}, so that {@link
 * Simulation#fail} can empty them at once: a timer of a failed node stays in the heap until it
 * falls due (removing it would cost a heap rebuild), but as a husk that references neither the node
 * nor its task, so nothing of a departed node stays reachable. Frames in flight are not chained
 * (linking and unlinking every frame cost a cache miss or two each): they reference only the dead
 * node's context, which {@code fail} has cut off from the node, and their bytes, and they fall due
 * within one network delay.
 */
final class Event implements Cancellable {
  final long timeMicros;
  final long sequence;
  NodeContext owner; // null for the experiment driver's events, and once run, cancelled or purged
  Runnable task; // null once cancelled or purged, and for frames
  byte[] frame; // a frame in flight to owner (task is then null); null once run or purged
  Address from; // the frame's sender
  boolean cancelled;
  Event prevOfOwner; // the owner's list of pending events
  Event nextOfOwner;

  Event(
      long timeMicros,
      long sequence,
      NodeContext owner,
      Runnable task,
      Address from,
      byte[] frame) {
    this.timeMicros = timeMicros;
    this.sequence = sequence;
    this.owner = owner;
    this.task = task;
    this.from = from;
    this.frame = frame;
    if (owner != null && frame == null) { // timers only: see the class comment
      Event head = owner.firstEvent;
      nextOfOwner = head;
      if (head != null) {
        head.prevOfOwner = this;
      }
      owner.firstEvent = this;
    }
  }

  @Override
  public void cancel() {
    cancelled = true;
    task = null; // a cancelled timer's closure need not wait in the heap until its time comes
    frame = null;
    from = null;
    detach();
  }

  /** Removes this event from its owner's list of pending events (no-op if already removed). */
  void detach() {
    NodeContext o = owner;
    if (o == null) {
      return;
    }
    if (prevOfOwner == null
        && o.firstEvent != this) { // never chained (a frame) or already unlinked
      owner = null;
      return;
    }
    if (prevOfOwner != null) {
      prevOfOwner.nextOfOwner = nextOfOwner;
    } else {
      o.firstEvent = nextOfOwner;
    }
    if (nextOfOwner != null) {
      nextOfOwner.prevOfOwner = prevOfOwner;
    }
    prevOfOwner = null;
    nextOfOwner = null;
    owner = null;
  }
}
