package org.epost.imap.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.epost.imap.api.MailboxChanges;
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

  /** The highest modification sequence this session's map reflects. */
  long highestModSeq;

  /**
   * The snapshot's immutable list until the first change, then a private copy (saves memory when
   * idle).
   */
  private List<MessageRecord> messages;

  private boolean copied;
  private final Set<Long> expungedPending = new HashSet<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  Registration registration;

  /** The session's kept searches (RFC 5267), told of changes as they are announced. */
  LiveSearches live;

  /** UIDs that are {@code \Recent} in this session (it was the first to be told of them). */
  private final RecentUids recent = new RecentUids();

  /** Keywords this session's client has been told of in FLAGS (bounded; see announceKeywords). */
  private final Set<String> keywords = new java.util.TreeSet<>();

  static final int MAX_KEYWORDS = MailboxSnapshot.MAX_KEYWORDS;

  private final RecentTracker tracker;
  private final RecentTracker.Key recentKey;

  SelectedMailbox(
      String name, MailboxSnapshot snapshot, boolean readOnly, RecentTracker tracker, String user) {
    this.name = name;
    this.uidValidity = snapshot.uidValidity();
    this.readOnly = readOnly || snapshot.readOnly();
    this.uidNext = snapshot.uidNext();
    this.highestModSeq = snapshot.highestModSeq();
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
    recent.addAbove(arrived, mark);
  }

  int recentCount() {
    return recent.count();
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
    if (flags.isEmpty()) {
      return "(" + Flags.RECENT + ")"; // a new message, the common case after a restart
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

  void markDirty() {
    dirty.set(true);
  }

  boolean takeDirty() {
    return dirty.getAndSet(false);
  }

  boolean hasPendingExpunges() {
    return !expungedPending.isEmpty();
  }

  /** What this session's client has enabled that changes how updates are reported. */
  record Mode(boolean condstore, boolean qresync) {}

  /**
   * Brings the map up to date with the changes since {@link #highestModSeq} (ADR 0039: the cost
   * follows the change, the message list is not copied or rebuilt) and writes the untagged
   * responses. Expunges already known but not yet announced are announced when allowed.
   */
  void apply(MailboxChanges c, boolean allowExpunge, Mode mode, Responder out) {
    List<Long> gone = new ArrayList<>();
    for (long uid : c.expunged()) {
      if (msnOf(uid) > 0) {
        expungedPending.add(uid);
      }
    }
    if (allowExpunge && !expungedPending.isEmpty()) {
      if (live != null && !live.isEmpty()) {
        List<long[]> leaving = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
          if (expungedPending.contains(messages.get(i).uid())) {
            leaving.add(new long[] {messages.get(i).uid(), i + 1});
          }
        }
        live.expunging(leaving);
      }
      ensureCopied();
      for (int i = messages.size() - 1; i >= 0; i--) {
        long uid = messages.get(i).uid();
        if (expungedPending.contains(uid)) {
          messages.remove(i);
          recent.expunged(uid);
          gone.add(uid);
          if (!mode.qresync()) {
            out.untagged((i + 1) + " EXPUNGE");
          }
        }
      }
      expungedPending.clear();
      if (mode.qresync()) {
        java.util.Collections.reverse(gone);
        out.untagged("VANISHED " + MessageCommands.uidSet(gone));
      }
    }
    long last = maxUid();
    int before = messages.size();
    List<Long> flagged = new ArrayList<>();
    for (MessageRecord now : c.changed()) {
      if (now.uid() > last) {
        ensureCopied();
        messages.add(now);
        continue;
      }
      int msn = msnOf(now.uid());
      if (msn < 0) {
        continue;
      }
      MessageRecord known = messages.get(msn - 1);
      if (now.modSeq() == known.modSeq() && now.flags().equals(known.flags())) {
        continue;
      }
      ensureCopied();
      messages.set(msn - 1, now);
      if (!now.flags().equals(known.flags()) && !expungedPending.contains(now.uid())) {
        announceKeywords(now.flags(), out);
        out.untagged(flagsFetch(msn, now, mode));
        flagged.add(now.uid());
      }
    }
    if (live != null) {
      live.changed(flagged);
    }
    announceArrivals(before, out);
    if (live != null && messages.size() > before) {
      List<Long> arrived = new ArrayList<>();
      for (MessageRecord r : messages.subList(before, messages.size())) {
        arrived.add(r.uid());
      }
      live.changed(arrived);
    }
    uidNext = Math.max(uidNext, c.uidNext());
    highestModSeq = Math.max(highestModSeq, c.highestModSeq());
  }

  /** An unsolicited {@code FETCH (UID FLAGS [MODSEQ])} for a message whose flags changed. */
  String flagsFetch(int msn, MessageRecord m, Mode mode) {
    return msn
        + " FETCH (UID "
        + m.uid()
        + " FLAGS "
        + flagsOf(m.uid(), m.flags())
        + (mode.condstore() ? " MODSEQ (" + m.modSeq() + ")" : "")
        + ")";
  }

  private void announceArrivals(int before, Responder out) {
    if (messages.size() != before) {
      int recentBefore = recent.count();
      noteRecent(messages.subList(before, messages.size()));
      out.untagged(messages.size() + " EXISTS");
      if (recent.count() != recentBefore) {
        out.untagged(recent.count() + " RECENT");
      }
    }
  }

  /**
   * Brings the map up to date with a fresh snapshot, for when the store no longer knows every
   * expunge since {@link #highestModSeq}: compares UIDs (O(messages)).
   */
  void sync(MailboxSnapshot snapshot, boolean allowExpunge, Mode mode, Responder out) {
    Map<Long, MessageRecord> current = new HashMap<>(snapshot.messages().size() * 2);
    for (MessageRecord r : snapshot.messages()) {
      current.put(r.uid(), r);
    }
    List<Long> expunged = new ArrayList<>();
    List<MessageRecord> changed = new ArrayList<>();
    for (MessageRecord known : messages) {
      MessageRecord now = current.get(known.uid());
      if (now == null) {
        expunged.add(known.uid());
      } else if (!now.flags().equals(known.flags()) || now.modSeq() != known.modSeq()) {
        changed.add(now);
      }
    }
    long last = maxUid();
    for (MessageRecord r : snapshot.messages()) {
      if (r.uid() > last) {
        changed.add(r);
      }
    }
    apply(
        new MailboxChanges(
            snapshot.uidValidity(),
            snapshot.uidNext(),
            snapshot.highestModSeq(),
            changed,
            expunged,
            true),
        allowExpunge,
        mode,
        out);
  }

  /** Records the outcome of this session's own STORE (the client is told by the STORE). */
  void stored(int msn, MessageRecord now) {
    ensureCopied();
    messages.set(msn - 1, now);
  }
}
