package org.epost.imap.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Server-wide {@code \Recent} bookkeeping (RFC 3501 2.3.2): per mailbox (user, name, UIDVALIDITY)
 * the highest UID already announced as recent to a read-write session. A session that selects a
 * mailbox, or learns of new messages while it has it selected, claims the UIDs above that mark;
 * read-only sessions (EXAMINE) only look. Kept in memory only: after a restart, or after a mailbox
 * was evicted from the bounded map, the next read-write session sees every message as recent once.
 * Thread-safe (one monitor, never held across I/O).
 */
final class RecentTracker {
  /** Default bound on tracked mailboxes; least recently used ones are forgotten. */
  static final int DEFAULT_MAX_MAILBOXES = 65_536;

  record Key(String user, String mailbox, long uidValidity) {}

  private final Map<Key, Long> announced;

  RecentTracker(int maxMailboxes) {
    this.announced =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
            return size() > maxMailboxes;
          }
        };
  }

  /**
   * Marks every UID up to {@code maxUid} as announced; returns the previous mark (UIDs above it are
   * this caller's).
   */
  synchronized long claim(Key key, long maxUid) {
    Long prev = announced.get(key);
    long before = prev == null ? 0 : prev;
    if (maxUid > before || prev == null) {
      announced.put(key, Math.max(before, maxUid));
    }
    return before;
  }

  /** The current mark without claiming anything. */
  synchronized long peek(Key key) {
    Long prev = announced.get(key);
    return prev == null ? 0 : prev;
  }

  synchronized int size() {
    return announced.size();
  }
}
