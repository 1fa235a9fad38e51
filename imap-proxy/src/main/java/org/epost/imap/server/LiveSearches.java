package org.epost.imap.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.epost.imap.api.MessageRecord;

/**
 * RFC 5267 CONTEXT=SEARCH: searches kept up to date ({@code SEARCH RETURN (UPDATE)}) while their
 * mailbox stays selected. When the session learns of a change (at the points where it may tell its
 * client of one, ADR 0033), each search is re-evaluated for the messages that changed only, and the
 * client gets {@code * ESEARCH (TAG "t") [UID] ADDTO (0 set)} / {@code REMOVEFROM (0 set)}, a
 * removal before the {@code EXPUNGE} that causes it, an addition after the {@code EXISTS}, with
 * position 0 as Dovecot sends for an unsorted result. At most {@link #MAX} per session. Confined to
 * the session's serial executor.
 */
final class LiveSearches {
  static final int MAX = 8;

  private final ImapSession s;
  private final List<Live> live = new ArrayList<>();

  /** One search: its tag, whether it answers with UIDs, its keys and its current result (UIDs). */
  private record Live(
      String tag, boolean uid, List<SearchCommand.Key> keys, TreeSet<Long> result) {}

  LiveSearches(ImapSession s) {
    this.s = s;
  }

  boolean isEmpty() {
    return live.isEmpty();
  }

  /** Keeps a search up to date; false if {@link #MAX} are kept already. */
  boolean add(String tag, boolean uid, List<SearchCommand.Key> keys, Collection<Long> resultUids) {
    if (live.size() >= MAX) {
      return false;
    }
    live.removeIf(l -> l.tag().equals(tag));
    live.add(new Live(tag, uid, keys, new TreeSet<>(resultUids)));
    return true;
  }

  /** CANCELUPDATE: true if the tag named a kept search. */
  boolean cancel(String tag) {
    return live.removeIf(l -> l.tag().equals(tag));
  }

  void clear() {
    live.clear();
  }

  /** Before the EXPUNGE responses of these messages (UID, MSN in the numbering still current). */
  void expunging(List<long[]> uidAndMsn) {
    for (Live l : live) {
      List<Long> removed = new ArrayList<>();
      for (long[] um : uidAndMsn) {
        if (l.result().remove(um[0])) {
          removed.add(l.uid() ? um[0] : um[1]);
        }
      }
      send(l, "REMOVEFROM", removed);
    }
  }

  /** After messages changed (flags) or arrived: re-evaluates those messages only. */
  void changed(Collection<Long> uids) {
    if (live.isEmpty() || uids.isEmpty()) {
      return;
    }
    SearchCommand.Prefetch prefetch = new SearchCommand.Prefetch(s);
    for (Live l : live) {
      List<Long> added = new ArrayList<>();
      List<Long> removed = new ArrayList<>();
      for (long u : new TreeSet<>(uids)) {
        int msn = s.selected.msnOf(u);
        if (msn < 0 || s.selected.isExpungedPending(u)) {
          continue;
        }
        MessageRecord m = s.selected.byMsn(msn);
        boolean now = SearchCommand.matches(s, l.keys(), msn, m, prefetch);
        if (now && l.result().add(u)) {
          added.add(l.uid() ? u : msn);
        } else if (!now && l.result().remove(u)) {
          removed.add(l.uid() ? u : msn);
        }
      }
      send(l, "REMOVEFROM", removed);
      send(l, "ADDTO", added);
    }
  }

  private void send(Live l, String what, List<Long> ids) {
    if (ids.isEmpty()) {
      return;
    }
    ids.sort(null);
    s.out.untagged(
        "ESEARCH (TAG \""
            + l.tag()
            + "\")"
            + (l.uid() ? " UID " : " ")
            + what
            + " (0 "
            + MessageCommands.uidSet(ids)
            + ")");
  }
}
