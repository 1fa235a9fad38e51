package org.epost.imap.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.epost.imap.api.MessageRecord;

/**
 * RFC 5267 CONTEXT=SEARCH and CONTEXT=SORT: searches and sorts kept up to date ({@code SEARCH
 * RETURN (UPDATE)}, {@code SORT RETURN (UPDATE)}) while their mailbox stays selected. When the
 * session learns of a change (at the points where it may tell its client of one, ADR 0033), each is
 * re-evaluated for the messages that changed only, and the client gets {@code * ESEARCH (TAG "t")
 * [UID] ADDTO (position set)} / {@code REMOVEFROM (position set)}, a removal before the {@code
 * EXPUNGE} that causes it, an addition after the {@code EXISTS}.
 *
 * <p>An unsorted result has position 0 (as Dovecot sends). A sorted result has one position and one
 * message per pair, {@code ADDTO (3 17 5 21)}, to be applied in order (RFC 5267 4.3): each position
 * is where the message is (REMOVEFROM) or goes (ADDTO) in the list as the pairs before it left it.
 * Sort keys never change, so a kept sort only gains and loses messages; its key per message is
 * kept, and a new message is placed by binary search. Updates cover the whole result, also when the
 * sort asked for a PARTIAL window (the positions tell the client whether its window moved).
 *
 * <p>At most {@link #MAX} searches and sorts together per session. Confined to the session's serial
 * executor.
 */
final class LiveSearches {
  static final int MAX = 8;

  private final ImapSession s;
  private final List<Live> live = new ArrayList<>();

  /**
   * One kept search or sort: its tag, whether it answers with UIDs, its keys and its current result
   * (UIDs); for a sort also its order, the result in that order and each message's sort key.
   */
  private static final class Live {
    final String tag;
    final boolean uid;
    final List<SearchCommand.Key> keys;
    final TreeSet<Long> result;
    final SortCommand.Order order;
    final List<Long> sorted;
    final Map<Long, Object[]> sortKeys;

    Live(
        String tag,
        boolean uid,
        List<SearchCommand.Key> keys,
        Collection<Long> result,
        SortCommand.Order order,
        List<Long> sorted,
        Map<Long, Object[]> sortKeys) {
      this.tag = tag;
      this.uid = uid;
      this.keys = keys;
      this.result = new TreeSet<>(result);
      this.order = order;
      this.sorted = sorted;
      this.sortKeys = sortKeys;
    }

    /**
     * Index of a UID (with its key in {@link #sortKeys}) in {@link #sorted}, or insertion point.
     */
    int index(long u) {
      return Collections.binarySearch(
          sorted, u, (a, b) -> order.compare(sortKeys.get(a), a, sortKeys.get(b), b));
    }
  }

  LiveSearches(ImapSession s) {
    this.s = s;
  }

  boolean isEmpty() {
    return live.isEmpty();
  }

  /** Keeps a search up to date; false if {@link #MAX} are kept already. */
  boolean add(String tag, boolean uid, List<SearchCommand.Key> keys, Collection<Long> resultUids) {
    return keep(new Live(tag, uid, keys, resultUids, null, null, null));
  }

  /**
   * Keeps a sort up to date (RFC 5267 CONTEXT=SORT): its result as UIDs in sort order, with each
   * one's sort key; false if {@link #MAX} are kept already.
   */
  boolean addSorted(
      String tag,
      boolean uid,
      List<SearchCommand.Key> keys,
      SortCommand.Order order,
      List<Long> sortedUids,
      Map<Long, Object[]> keysByUid) {
    return keep(
        new Live(
            tag,
            uid,
            keys,
            sortedUids,
            order,
            new ArrayList<>(sortedUids),
            new HashMap<>(keysByUid)));
  }

  private boolean keep(Live l) {
    live.removeIf(k -> k.tag.equals(l.tag));
    if (live.size() >= MAX) {
      return false;
    }
    live.add(l);
    return true;
  }

  /** CANCELUPDATE: true if the tag named a kept search. */
  boolean cancel(String tag) {
    return live.removeIf(l -> l.tag.equals(tag));
  }

  void clear() {
    live.clear();
  }

  /** Before the EXPUNGE responses of these messages (UID, MSN in the numbering still current). */
  void expunging(List<long[]> uidAndMsn) {
    for (Live l : live) {
      Map<Long, Long> gone = new HashMap<>();
      for (long[] um : uidAndMsn) {
        if (l.result.remove(um[0])) {
          gone.put(um[0], l.uid ? um[0] : um[1]);
        }
      }
      if (l.order == null) {
        send(l, "REMOVEFROM", new ArrayList<>(gone.values()));
      } else {
        sendPairs(l, "REMOVEFROM", removeSorted(l, gone));
      }
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
      Map<Long, Long> removedIds = new HashMap<>();
      List<SearchCommand.Candidate> addedCandidates = new ArrayList<>();
      for (long u : new TreeSet<>(uids)) {
        int msn = s.selected.msnOf(u);
        if (msn < 0 || s.selected.isExpungedPending(u)) {
          continue;
        }
        MessageRecord m = s.selected.byMsn(msn);
        boolean now = SearchCommand.matches(s, l.keys, msn, m, prefetch);
        if (now && l.result.add(u)) {
          added.add(l.uid ? u : msn);
          addedCandidates.add(new SearchCommand.Candidate(s, msn, m, prefetch));
        } else if (!now && l.result.remove(u)) {
          removed.add(l.uid ? u : msn);
          removedIds.put(u, l.uid ? u : (long) msn);
        }
      }
      if (l.order == null) {
        send(l, "REMOVEFROM", removed);
        send(l, "ADDTO", added);
      } else {
        sendPairs(l, "REMOVEFROM", removeSorted(l, removedIds));
        sendPairs(l, "ADDTO", addSorted(l, addedCandidates));
      }
    }
  }

  /**
   * Takes these messages (UID to the number the client knows it by) out of a sorted result: the
   * (position, number) pairs, positions counted as the pairs before have left the list.
   */
  private static List<long[]> removeSorted(Live l, Map<Long, Long> gone) {
    List<long[]> pairs = new ArrayList<>();
    if (gone.isEmpty()) {
      return pairs;
    }
    int removedSoFar = 0;
    for (int i = 0; i < l.sorted.size(); i++) {
      Long id = gone.get(l.sorted.get(i));
      if (id != null) {
        pairs.add(new long[] {i + 1 - removedSoFar, id});
        removedSoFar++;
      }
    }
    Set<Long> g = new HashSet<>(gone.keySet());
    l.sorted.removeIf(g::contains);
    g.forEach(l.sortKeys::remove);
    return pairs;
  }

  /**
   * Places these messages in a sorted result: the (position, number) pairs in ascending position,
   * so that each position is the message's final one and applying them in order builds the list.
   */
  private List<long[]> addSorted(Live l, List<SearchCommand.Candidate> in) {
    List<long[]> pairs = new ArrayList<>();
    if (in.isEmpty()) {
      return pairs;
    }
    try {
      SortCommand.loadStructures(s, in, l.order.needsHeaders);
    } catch (CommandFailed e) {
      // the backend failed: such a message sorts with empty headers, as an expunged one does
    }
    Map<Long, Long> ids = new HashMap<>();
    for (SearchCommand.Candidate c : in) {
      long u = c.m.uid();
      l.sortKeys.put(u, l.order.key(c));
      int at = l.index(u);
      l.sorted.add(at < 0 ? -at - 1 : at, u);
      ids.put(u, l.uid ? u : (long) c.msn);
    }
    for (int i = 0; i < l.sorted.size(); i++) {
      Long id = ids.get(l.sorted.get(i));
      if (id != null) {
        pairs.add(new long[] {i + 1, id});
      }
    }
    return pairs;
  }

  private void send(Live l, String what, List<Long> ids) {
    if (ids.isEmpty()) {
      return;
    }
    ids.sort(null);
    s.out.untagged(
        "ESEARCH (TAG \""
            + l.tag
            + "\")"
            + (l.uid ? " UID " : " ")
            + what
            + " (0 "
            + MessageCommands.uidSet(ids)
            + ")");
  }

  private void sendPairs(Live l, String what, List<long[]> pairs) {
    if (pairs.isEmpty()) {
      return;
    }
    StringBuilder sb =
        new StringBuilder("ESEARCH (TAG \"")
            .append(l.tag)
            .append("\")")
            .append(l.uid ? " UID " : " ")
            .append(what)
            .append(" (");
    for (int i = 0; i < pairs.size(); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(pairs.get(i)[0]).append(' ').append(pairs.get(i)[1]);
    }
    s.out.untagged(sb.append(')').toString());
  }
}
