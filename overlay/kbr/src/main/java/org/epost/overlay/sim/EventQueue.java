package org.epost.overlay.sim;

import java.util.Arrays;
import java.util.function.Consumer;
import org.epost.overlay.api.Address;

/**
 * The simulation's events ordered by (time, sequence). The sequence number is assigned at
 * scheduling time, so events at the same instant run in scheduling order: the run is a pure
 * function of the seed. Two heaps, one for timers and one for frames in flight (see {@link
 * #addFrame}), merged at their heads.
 */
final class EventQueue {
  private final Heap timers = new Heap(); // timers and driver tasks: many, mostly far ahead
  private final Heap frames = new Heap(); // frames in flight: few, all within one network delay
  private long nextSequence;

  Event add(long timeMicros, NodeContext owner, Runnable task) {
    return timers.insert(new Event(timeMicros, nextSequence++, owner, task, null, null));
  }

  /**
   * A frame from {@code from} arriving at {@code owner} at {@code timeMicros}: one object per frame
   * in flight. Frames have a heap of their own: a frame falls due sooner than nearly every timer,
   * so in a shared heap each one sifted up through most of the timers' levels; in its own small
   * heap it stays in the cache. The two heads are merged by (time, sequence), so the order of
   * events is exactly that of one heap.
   */
  Event addFrame(long timeMicros, NodeContext owner, Address from, byte[] frame) {
    return frames.insert(new Event(timeMicros, nextSequence++, owner, null, from, frame));
  }

  Event peek() {
    Heap h = next();
    return h == null ? null : h.events[0];
  }

  Event poll() {
    Heap h = next();
    return h == null ? null : h.poll();
  }

  int size() {
    return timers.size + frames.size;
  }

  void forEach(Consumer<Event> visitor) {
    for (int i = 0; i < timers.size; i++) {
      visitor.accept(timers.events[i]);
    }
    for (int i = 0; i < frames.size; i++) {
      visitor.accept(frames.events[i]);
    }
  }

  private Heap next() {
    if (frames.size == 0) {
      return timers.size == 0 ? null : timers;
    }
    if (timers.size == 0) {
      return frames;
    }
    long ft = frames.keys[0];
    long tt = timers.keys[0];
    return ft < tt || (ft == tt && frames.keys[1] < timers.keys[1]) ? frames : timers;
  }

  /**
   * A 4-ary min-heap by (time, sequence). Keys live in one primitive array next to the events, time
   * and sequence of an entry side by side, so that sifting touches no event objects and the four
   * children of a node share one or two cache lines (half the depth of a binary heap).
   */
  private static final class Heap {
    private static final int MIN_CAPACITY = 256;
    Event[] events = new Event[MIN_CAPACITY];
    long[] keys = new long[2 * MIN_CAPACITY]; // entry i: time at 2i, sequence at 2i + 1
    int size;

    Event insert(Event e) {
      long t = e.timeMicros;
      long q = e.sequence;
      if (size == events.length) {
        resize(size * 2);
      }
      long[] k = keys;
      Event[] ev = events;
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 2;
        long pt = k[2 * parent];
        if (pt < t || (pt == t && k[2 * parent + 1] < q)) {
          break;
        }
        ev[i] = ev[parent];
        k[2 * i] = pt;
        k[2 * i + 1] = k[2 * parent + 1];
        i = parent;
      }
      ev[i] = e;
      k[2 * i] = t;
      k[2 * i + 1] = q;
      return e;
    }

    Event poll() {
      Event[] ev = events;
      long[] k = keys;
      Event top = ev[0];
      int n = --size;
      Event last = ev[n];
      long lt = k[2 * n];
      long ls = k[2 * n + 1];
      ev[n] = null;
      if (n > 0) {
        int i = 0;
        while (true) {
          int c = 4 * i + 1;
          if (c >= n) {
            break;
          }
          int best = c;
          long bt = k[2 * c];
          long bs = k[2 * c + 1];
          int end = Math.min(c + 4, n);
          for (int j = c + 1; j < end; j++) {
            long jt = k[2 * j];
            if (jt < bt || (jt == bt && k[2 * j + 1] < bs)) {
              best = j;
              bt = jt;
              bs = k[2 * j + 1];
            }
          }
          if (lt < bt || (lt == bt && ls < bs)) {
            break;
          }
          ev[i] = ev[best];
          k[2 * i] = bt;
          k[2 * i + 1] = bs;
          i = best;
        }
        ev[i] = last;
        k[2 * i] = lt;
        k[2 * i + 1] = ls;
      }
      if (size < events.length / 4 && events.length > MIN_CAPACITY) {
        resize(events.length / 2);
      }
      return top;
    }

    private void resize(int capacity) {
      events = Arrays.copyOf(events, capacity);
      keys = Arrays.copyOf(keys, 2 * capacity);
    }
  }
}
