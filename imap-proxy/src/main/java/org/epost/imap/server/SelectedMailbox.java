package org.epost.imap.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.epost.imap.api.MailboxSnapshot;
import org.epost.imap.api.MessageRecord;
import org.epost.imap.api.Registration;

/**
 * The selected mailbox as this session's client knows it: the message sequence number map (index +
 * 1 = MSN), the flags last reported, and messages expunged in the store but not yet announced (RFC
 * 3501 7.4.1 forbids EXPUNGE during FETCH, STORE and SEARCH). Confined to the session's serial
 * executor except {@link #markDirty()}, which backend threads call.
 */
final class SelectedMailbox {
  final String name;
  final long uidValidity;
  final boolean readOnly;
  long uidNext;

  /**
   * The snapshot's immutable list until the first change, then a private copy (saves memory when
   * idle).
   */
  private List<MessageRecord> messages;

  private boolean copied;
  private final Set<Long> expungedPending = new HashSet<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  Registration registration;

  /** UIDs that are {@code \Recent} in this session (it was the first to be told of them). */
  private final Set<Long> recent = new HashSet<>();

  /** Keywords this session's client has been told of in FLAGS (bounded; see announceKeywords). */
  private final Set<String> keywords = new java.util.TreeSet<>();

  static final int MAX_KEYWORDS = 256;

  private final RecentTracker tracker;
  private final RecentTracker.Key recentKey;

  SelectedMailbox(
      String name, MailboxSnapshot snapshot, boolean readOnly, RecentTracker tracker, String user) {
    this.name = name;
    this.uidValidity = snapshot.uidValidity();
    this.readOnly = readOnly || snapshot.readOnly();
    this.uidNext = snapshot.uidNext();
    this.messages = snapshot.messages();
    this.tracker = tracker;
    this.recentKey = new RecentTracker.Key(user, name, uidValidity);
    noteRecent(messages);
  }

  /** Claims (read-write) or just observes (read-only) the new UIDs above the server-wide mark. */
  private void noteRecent(List<MessageRecord> arrived) {
    if (arrived.isEmpty()) {
      return;
    }
    long last = arrived.get(arrived.size() - 1).uid();
    long mark = readOnly ? tracker.peek(recentKey) : tracker.claim(recentKey, last);
    for (MessageRecord r : arrived) {
      if (r.uid() > mark) {
        recent.add(r.uid());
      }
    }
  }

  int recentCount() {
    return recent.size();
  }

  boolean isRecent(long uid) {
    return recent.contains(uid);
  }

  /**
   * The FLAGS list for a message as this session reports it, with {@code \Recent} if it is recent
   * here.
   */
  String flagsOf(long uid, Set<String> flags) {
    if (!recent.contains(uid)) {
      return Flags.format(flags);
    }
    Set<String> withRecent = new java.util.TreeSet<>(flags);
    withRecent.add(Flags.RECENT);
    return Flags.format(withRecent);
  }

  int count() {
    return messages.size();
  }

  /** The FLAGS and PERMANENTFLAGS responses for the system flags and the known keywords. */
  void writeFlags(Responder out) {
    String kw = keywords.isEmpty() ? "" : " " + String.join(" ", keywords);
    out.untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft" + kw + ")");
    out.untagged(
        "OK [PERMANENTFLAGS "
            + (readOnly ? "()" : "(\\Answered \\Flagged \\Deleted \\Seen \\Draft" + kw + " \\*)")
            + "] Flags permitted");
  }

  /** Counts keywords as announced (at SELECT, before its FLAGS response). */
  void knowKeywords(Set<String> flags) {
    for (String f : flags) {
      if (!f.startsWith("\\") && keywords.size() < MAX_KEYWORDS) {
        keywords.add(f);
      }
    }
  }

  /**
   * Before a FETCH response shows these flags: if one is a keyword the client has not been told of,
   * sends FLAGS and PERMANENTFLAGS again with it (RFC 3501 7.2.6). At most {@link #MAX_KEYWORDS}
   * are tracked; beyond that PERMANENTFLAGS' {@code \*} already allows any keyword.
   */
  void announceKeywords(Set<String> flags, Responder out) {
    boolean added = false;
    for (String f : flags) {
      if (!f.startsWith("\\") && !keywords.contains(f) && keywords.size() < MAX_KEYWORDS) {
        keywords.add(f);
        added = true;
      }
    }
    if (added) {
      writeFlags(out);
    }
  }

  MessageRecord byMsn(int msn) {
    return messages.get(msn - 1);
  }

  List<MessageRecord> all() {
    return Collections.unmodifiableList(messages);
  }

  long maxUid() {
    return messages.isEmpty() ? 0 : messages.get(messages.size() - 1).uid();
  }

  /** MSN of a UID, or -1. */
  int msnOf(long uid) {
    int lo = 0;
    int hi = messages.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long u = messages.get(mid).uid();
      if (u < uid) {
        lo = mid + 1;
      } else if (u > uid) {
        hi = mid - 1;
      } else {
        return mid + 1;
      }
    }
    return -1;
  }

  boolean isExpungedPending(long uid) {
    return expungedPending.contains(uid);
  }

  /** MSNs selected by a set, ascending. */
  List<Integer> resolve(SequenceSet set, boolean uid) {
    List<Integer> out = new ArrayList<>();
    if (messages.isEmpty()) {
      return out;
    }
    if (uid) {
      long max = maxUid();
      for (int i = 0; i < messages.size(); i++) {
        if (set.contains(messages.get(i).uid(), max)) {
          out.add(i + 1);
        }
      }
    } else {
      for (int i = 1; i <= messages.size(); i++) {
        if (set.contains(i, messages.size())) {
          out.add(i);
        }
      }
    }
    return out;
  }

  /** True if the sequence set names a message number beyond the mailbox (a client error). */
  boolean outOfRange(SequenceSet set) {
    for (long[] r : set.ranges()) {
      if ((r[0] != SequenceSet.STAR && r[0] > messages.size())
          || (r[1] != SequenceSet.STAR && r[1] > messages.size())) {
        return true;
      }
    }
    return false;
  }

  private void ensureCopied() {
    if (!copied) {
      messages = new ArrayList<>(messages);
      copied = true;
    }
  }

  void updateFlags(int msn, Set<String> flags) {
    ensureCopied();
    MessageRecord r = messages.get(msn - 1);
    messages.set(msn - 1, new MessageRecord(r.uid(), r.size(), r.internalDate(), flags));
  }

  void markDirty() {
    dirty.set(true);
  }

  boolean takeDirty() {
    return dirty.getAndSet(false);
  }

  boolean hasPendingExpunges() {
    return !expungedPending.isEmpty();
  }

  /**
   * Brings the map up to date with a fresh snapshot and writes the untagged responses that tell the
   * client: EXPUNGE (only if allowed, else deferred), FETCH FLAGS for changed flags, and EXISTS for
   * new messages.
   */
  void sync(MailboxSnapshot snapshot, boolean allowExpunge, Responder out) {
    ensureCopied();
    Map<Long, MessageRecord> current = new HashMap<>(snapshot.messages().size() * 2);
    for (MessageRecord r : snapshot.messages()) {
      current.put(r.uid(), r);
    }
    for (int i = messages.size() - 1; i >= 0; i--) {
      long uid = messages.get(i).uid();
      if (!current.containsKey(uid)) {
        if (allowExpunge) {
          messages.remove(i);
          expungedPending.remove(uid);
          recent.remove(uid);
          out.untagged((i + 1) + " EXPUNGE");
        } else {
          expungedPending.add(uid);
        }
      }
    }
    for (int i = 0; i < messages.size(); i++) {
      MessageRecord known = messages.get(i);
      MessageRecord now = current.get(known.uid());
      if (now != null && !now.flags().equals(known.flags())) {
        messages.set(i, now);
        announceKeywords(now.flags(), out);
        out.untagged(
            (i + 1)
                + " FETCH (UID "
                + known.uid()
                + " FLAGS "
                + flagsOf(known.uid(), now.flags())
                + ")");
      }
    }
    long last = maxUid();
    int before = messages.size();
    for (MessageRecord r : snapshot.messages()) {
      if (r.uid() > last) {
        messages.add(r);
      }
    }
    if (messages.size() != before) {
      int recentBefore = recent.size();
      noteRecent(messages.subList(before, messages.size()));
      out.untagged(messages.size() + " EXISTS");
      if (recent.size() != recentBefore) {
        out.untagged(recent.size() + " RECENT");
      }
    }
    uidNext = Math.max(uidNext, snapshot.uidNext());
  }
}
