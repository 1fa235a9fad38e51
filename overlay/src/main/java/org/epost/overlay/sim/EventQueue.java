package org.epost.overlay.sim;

import java.util.Arrays;

/**
 * A binary min-heap of events ordered by (time, sequence). The sequence number is assigned at
 * scheduling time, so events at the same instant run in scheduling order: the run is a pure
 * function of the seed.
 */
final class EventQueue {
  private Event[] heap = new Event[1024];
  private int size;
  private long nextSequence;

  Event add(long timeMicros, NodeContext owner, Runnable task) {
    Event e = new Event(timeMicros, nextSequence++, owner, task);
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Event p = heap[parent];
      if (!e.before(p)) {
        break;
      }
      heap[i] = p;
      i = parent;
    }
    heap[i] = e;
    return e;
  }

  Event peek() {
    return size == 0 ? null : heap[0];
  }

  Event poll() {
    if (size == 0) {
      return null;
    }
    Event top = heap[0];
    Event last = heap[--size];
    heap[size] = null;
    if (size > 0) {
      int i = 0;
      int half = size >>> 1;
      while (i < half) {
        int child = 2 * i + 1;
        int right = child + 1;
        if (right < size && heap[right].before(heap[child])) {
          child = right;
        }
        if (!heap[child].before(last)) {
          break;
        }
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    if (size < heap.length / 4 && heap.length > 1024) {
      heap = Arrays.copyOf(heap, heap.length / 2);
    }
    return top;
  }

  int size() {
    return size;
  }
}
