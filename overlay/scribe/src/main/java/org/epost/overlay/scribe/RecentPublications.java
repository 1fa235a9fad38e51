package org.epost.overlay.scribe;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.epost.overlay.scribe.ScribeMessage.Data;

/**
 * One topic's memory of recent publications at one node: the ids seen (to drop duplicates, the last
 * {@link #MAX_SEEN}) and the last few publications themselves (to resend to a child that re-joins
 * after a repair). Both are bounded by count; the buffer also by age and by a node-wide byte budget
 * ({@link ByteBudget}).
 */
final class RecentPublications {
  static final int MAX_SEEN = 128;

  private record Entry(Data data, long atMillis) {}

  private final ArrayDeque<Long> seenOrder = new ArrayDeque<>();
  private final Set<Long> seen = new HashSet<>();
  private final ArrayDeque<Entry> buffer = new ArrayDeque<>();

  /** Records {@code id}; false if it was seen already (a duplicate). */
  boolean markSeen(long id) {
    if (!seen.add(id)) {
      return false;
    }
    seenOrder.addLast(id);
    if (seenOrder.size() > MAX_SEEN) {
      seen.remove(seenOrder.removeFirst());
    }
    return true;
  }

  /** The most recent ids seen, newest last, at most {@code max}. */
  long[] latestSeen(int max) {
    int n = Math.min(max, seenOrder.size());
    long[] out = new long[n];
    Iterator<Long> it = seenOrder.descendingIterator();
    for (int i = n - 1; i >= 0; i--) {
      out[i] = it.next();
    }
    return out;
  }

  /** Keeps {@code data} for resending, if the per-topic count and the node-wide budget allow. */
  void buffer(Data data, long nowMillis, int maxEntries, ByteBudget budget) {
    if (maxEntries == 0) {
      return;
    }
    while (buffer.size() >= maxEntries) {
      budget.release(buffer.removeFirst().data().payload().length);
    }
    if (budget.tryTake(data.payload().length)) {
      buffer.addLast(new Entry(data, nowMillis));
    }
  }

  /** Drops buffered publications older than {@code windowMillis}. */
  void expire(long nowMillis, long windowMillis, ByteBudget budget) {
    while (!buffer.isEmpty() && nowMillis - buffer.peekFirst().atMillis() > windowMillis) {
      budget.release(buffer.removeFirst().data().payload().length);
    }
  }

  /** Buffered publications whose ids are not in {@code known}, oldest first. */
  Iterable<Data> missing(long[] known) {
    ArrayDeque<Data> out = new ArrayDeque<>();
    outer:
    for (Entry e : buffer) {
      for (long k : known) {
        if (k == e.data().publicationId()) {
          continue outer;
        }
      }
      out.add(e.data());
    }
    return out;
  }

  /** Releases every buffered byte (the topic is being forgotten). */
  void clear(ByteBudget budget) {
    for (Entry e : buffer) {
      budget.release(e.data().payload().length);
    }
    buffer.clear();
  }

  int buffered() {
    return buffer.size();
  }

  /** A node-wide cap on buffered payload bytes. */
  static final class ByteBudget {
    private final long limit;
    private long used;

    ByteBudget(long limit) {
      this.limit = limit;
    }

    boolean tryTake(long n) {
      if (used + n > limit) {
        return false;
      }
      used += n;
      return true;
    }

    void release(long n) {
      used -= n;
    }

    long used() {
      return used;
    }
  }
}
