package org.epost.imap.server;

import java.util.Arrays;
import java.util.List;
import org.epost.imap.api.MessageRecord;

/**
 * The UIDs that are {@code \Recent} in one session, as ascending disjoint UID ranges plus the
 * number of those messages still in the mailbox. A session claims new UIDs in ascending order (the
 * mark of {@link RecentTracker} only grows), so each claim is one range above every earlier one,
 * and a claim right after this session's previous one extends it: a session that selects a mailbox
 * of 100,000 recent messages holds one range, not 100,000 entries. Confined to the session's
 * executor.
 */
final class RecentUids {
  /** {@code lo0, hi0, lo1, hi1, ...}, inclusive, ascending, disjoint. */
  private long[] ranges = new long[4];

  private int used; // longs in use: twice the number of ranges
  private int count;

  /**
   * Marks as recent the messages of {@code arrived} (ascending UID) whose UID is above {@code mark}
   * and above every UID marked before (a UID at or below those is not counted twice).
   */
  void addAbove(List<MessageRecord> arrived, long mark) {
    long last = used == 0 ? 0 : ranges[used - 1];
    int first = firstAbove(arrived, Math.max(mark, last));
    if (first == arrived.size()) {
      return;
    }
    long lo = arrived.get(first).uid();
    long hi = arrived.get(arrived.size() - 1).uid();
    count += arrived.size() - first;
    if (used > 0 && last >= mark) {
      ranges[used - 1] = hi; // nothing was claimed by others in between: one range
      return;
    }
    if (used == ranges.length) {
      ranges = Arrays.copyOf(ranges, used * 2);
    }
    ranges[used++] = lo;
    ranges[used++] = hi;
  }

  /** Index of the first record with a UID above {@code mark} (binary search). */
  private static int firstAbove(List<MessageRecord> arrived, long mark) {
    int lo = 0;
    int hi = arrived.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (arrived.get(mid).uid() > mark) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  boolean contains(long uid) {
    int lo = 0;
    int hi = used / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (uid < ranges[2 * mid]) {
        hi = mid - 1;
      } else if (uid > ranges[2 * mid + 1]) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /** Counts one recent message fewer if {@code uid}, leaving the mailbox, was one. */
  void expunged(long uid) {
    if (contains(uid)) {
      count--;
    }
  }

  /** Recent messages still in the mailbox. */
  int count() {
    return count;
  }
}
