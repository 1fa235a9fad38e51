package org.epost.overlay.sim;

import java.util.Arrays;

/**
 * A binary min-heap of events ordered by (time, sequence). The sequence number is assigned at
 * scheduling time, so events at the same instant run in scheduling order: the run is a pure
 * function of the seed. Keys live in primitive arrays next to the events so that sifting touches
 * no event objects (the queue holds hundreds of thousands of timers at 10k nodes).
 */
final class EventQueue {
  private static final int MIN_CAPACITY = 1024;
  private Event[] events = new Event[MIN_CAPACITY];
  private long[] times = new long[MIN_CAPACITY];
  private long[] seqs = new long[MIN_CAPACITY];
  private int size;
  private long nextSequence;

  Event add(long timeMicros, NodeContext owner, Runnable task) {
    return insert(new Event(timeMicros, nextSequence++, owner, task, null, null));
  }

  /** A frame from {@code from} arriving at {@code owner} at {@code timeMicros}: one object per frame in flight. */
  Event addFrame(long timeMicros, NodeContext owner, org.epost.overlay.api.Address from, byte[] frame) {
    return insert(new Event(timeMicros, nextSequence++, owner, null, from, frame));
  }

  private Event insert(Event e) {
    long timeMicros = e.timeMicros;
    long seq = e.sequence;
    if (size == events.length) {
      resize(size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      long pt = times[parent];
      if (pt < timeMicros || (pt == timeMicros && seqs[parent] < seq)) {
        break;
      }
      events[i] = events[parent];
      times[i] = pt;
      seqs[i] = seqs[parent];
      i = parent;
    }
    events[i] = e;
    times[i] = timeMicros;
    seqs[i] = seq;
    return e;
  }

  Event peek() {
    return size == 0 ? null : events[0];
  }

  Event poll() {
    if (size == 0) {
      return null;
    }
    Event top = events[0];
    int n = --size;
    Event last = events[n];
    long lt = times[n];
    long ls = seqs[n];
    events[n] = null;
    if (n > 0) {
      int i = 0;
      int half = n >>> 1;
      while (i < half) {
        int child = 2 * i + 1;
        int right = child + 1;
        long ct = times[child];
        long cs = seqs[child];
        if (right < n && (times[right] < ct || (times[right] == ct && seqs[right] < cs))) {
          child = right;
          ct = times[right];
          cs = seqs[right];
        }
        if (lt < ct || (lt == ct && ls < cs)) {
          break;
        }
        events[i] = events[child];
        times[i] = ct;
        seqs[i] = cs;
        i = child;
      }
      events[i] = last;
      times[i] = lt;
      seqs[i] = ls;
    }
    if (size < events.length / 4 && events.length > MIN_CAPACITY) {
      resize(events.length / 2);
    }
    return top;
  }

  private void resize(int capacity) {
    events = Arrays.copyOf(events, capacity);
    times = Arrays.copyOf(times, capacity);
    seqs = Arrays.copyOf(seqs, capacity);
  }

  int size() {
    return size;
  }
}
