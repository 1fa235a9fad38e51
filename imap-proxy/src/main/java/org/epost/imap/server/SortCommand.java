package org.epost.imap.server;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.dom.field.DateTimeField;
import org.apache.james.mime4j.field.LenientFieldParser;
import org.epost.imap.codec.CommandReader;
import org.epost.imap.codec.ImapParseException;
import org.epost.imap.mime.MimePart;
import org.epost.imap.mime.StructureWriter;

/**
 * SORT (RFC 5256, with RFC 5957 DISPLAYFROM/DISPLAYTO and RFC 5267 ESORT's RETURN options) and
 * THREAD (RFC 5256 ORDEREDSUBJECT and REFERENCES). Header data comes from the message structures,
 * asked of the backend in batches; no message body is read unless a search key needs it.
 */
final class SortCommand {
  private SortCommand() {}

  static final Set<String> CRITERIA =
      Set.of("ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO");

  /** One sort key with its direction. */
  private record Criterion(String name, boolean reverse) {}

  static void sort(ImapSession s, String tag, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    Set<String> returns = null;
    long[] partial = null;
    if (r.peek() != '(') {
      String word = r.upperAtom();
      if (!word.equals("RETURN")) {
        throw new ImapParseException("Expected a sort criteria list");
      }
      // RFC 5267 ESORT
      r.space();
      returns = new LinkedHashSet<>();
      r.expect('(');
      boolean empty = true;
      while (!r.tryConsume(')')) {
        r.tryConsume(' ');
        empty = false;
        String opt = r.upperAtom();
        switch (opt) {
          case "MIN", "MAX", "COUNT", "ALL", "UPDATE" -> returns.add(opt);
          case "CONTEXT" -> {
            // RFC 5267 CONTEXT=SORT: a hint that the result will be asked for again
          }
          case "PARTIAL" -> {
            // RFC 5267 4.4: the results at positions low:high, in sort order
            r.space();
            partial = SearchCommand.partialRange(r.atom());
            returns.add("PARTIAL");
          }
          default -> throw new ImapParseException("Unknown SORT RETURN option " + opt);
        }
      }
      if (empty) {
        returns.add("ALL");
      }
      r.space();
    }
    r.expect('(');
    List<Criterion> criteria = new ArrayList<>();
    boolean reverse = false;
    while (!r.tryConsume(')')) {
      r.tryConsume(' ');
      String c = r.upperAtom();
      if (c.equals("REVERSE")) {
        if (reverse) {
          throw new ImapParseException("REVERSE twice");
        }
        reverse = true;
        continue;
      }
      if (!CRITERIA.contains(c)) {
        throw new ImapParseException("Unknown sort criterion " + c);
      }
      criteria.add(new Criterion(c, reverse));
      reverse = false;
      if (criteria.size() > 20) {
        throw new ImapParseException("Too many sort criteria");
      }
    }
    if (criteria.isEmpty() || reverse) {
      throw new ImapParseException("A sort criteria list needs a criterion after each REVERSE");
    }
    r.space();
    String charset = r.astring();
    r.space();
    s.modSeqSearched = false;
    List<SearchCommand.Key> keys = SearchCommand.criteria(s, r);
    SearchCommand.checkCharset(charset);
    List<SearchCommand.Candidate> found = SearchCommand.matching(s, keys);
    boolean needsHeaders =
        criteria.stream().anyMatch(c -> !c.name().equals("ARRIVAL") && !c.name().equals("SIZE"));
    Order sortOrder = new Order(List.copyOf(criteria), needsHeaders);
    Map<SearchCommand.Candidate, Object[]> sortKeys = new HashMap<>();
    loadStructures(s, found, needsHeaders);
    for (SearchCommand.Candidate c : found) {
      sortKeys.put(c, sortOrder.key(c));
    }
    found.sort((a, b) -> sortOrder.compare(sortKeys.get(a), a.msn, sortKeys.get(b), b.msn));
    long highest = 0;
    List<Long> ids = new ArrayList<>();
    for (SearchCommand.Candidate c : found) {
      ids.add(uid ? c.m.uid() : c.msn);
      highest = Math.max(highest, c.m.modSeq());
    }
    if (returns != null) {
      // ESORT: the ESEARCH answer with the result in sort order (MIN/MAX first and last in it,
      // PARTIAL positions in it)
      s.out.untagged(
          SearchCommand.esearch(tag, uid, returns, ids, s.modSeqSearched ? highest : 0, partial));
      if (returns.contains("UPDATE")) {
        // RFC 5267 CONTEXT=SORT: keep the sorted result and its sort keys
        List<Long> sortedUids = new ArrayList<>();
        Map<Long, Object[]> keysByUid = new HashMap<>();
        for (SearchCommand.Candidate c : found) {
          sortedUids.add(c.m.uid());
          keysByUid.put(c.m.uid(), sortKeys.get(c));
        }
        if (!s.live.addSorted(tag, uid, keys, sortOrder, sortedUids, keysByUid)) {
          s.out.untagged(
              "NO [NOUPDATE \""
                  + tag
                  + "\"] At most "
                  + LiveSearches.MAX
                  + " searches are kept up to date");
        }
      }
    } else {
      StringBuilder sb = new StringBuilder("SORT");
      for (long id : ids) {
        sb.append(' ').append(id);
      }
      if (s.modSeqSearched && !ids.isEmpty()) {
        sb.append(" (MODSEQ ").append(highest).append(')');
      }
      s.out.untagged(sb.toString());
    }
    if (uid) {
      s.ok(tag, "UID SORT completed");
    } else {
      s.okNoExpunge(tag, "SORT completed");
    }
  }

  /**
   * A sort order: its criteria, each with its direction; ties go by message number (= UID order).
   * Sort keys are computed once per message and never change (headers, dates, size), so a kept
   * sorted result only ever gains and loses messages, never reorders them.
   */
  static final class Order {
    private final List<Criterion> criteria;
    final boolean needsHeaders;

    private Order(List<Criterion> criteria, boolean needsHeaders) {
      this.criteria = criteria;
      this.needsHeaders = needsHeaders;
    }

    /** The sort key of a message (its structure loaded if {@link #needsHeaders}). */
    Object[] key(SearchCommand.Candidate c) {
      Object[] k = new Object[criteria.size()];
      for (int i = 0; i < k.length; i++) {
        k[i] = sortKey(criteria.get(i).name(), c);
      }
      return k;
    }

    /** Compares two messages by their keys, then by number (MSN or UID, same order). */
    int compare(Object[] ka, long na, Object[] kb, long nb) {
      for (int i = 0; i < ka.length; i++) {
        @SuppressWarnings("unchecked")
        int d = ((Comparable<Object>) ka[i]).compareTo(kb[i]);
        if (d != 0) {
          return criteria.get(i).reverse() ? -d : d;
        }
      }
      return Long.compare(na, nb);
    }
  }

  /** Asks the backend for the structures of the candidates in batches (one round trip each). */
  static void loadStructures(ImapSession s, List<SearchCommand.Candidate> found, boolean needed)
      throws CommandFailed {
    if (!needed) {
      return;
    }
    for (int i = 0; i < found.size(); i += FetchCommand.STRUCTURE_BATCH) {
      List<SearchCommand.Candidate> chunk =
          found.subList(i, Math.min(found.size(), i + FetchCommand.STRUCTURE_BATCH));
      List<Long> uids = new ArrayList<>();
      for (SearchCommand.Candidate c : chunk) {
        if (c.structure == null) {
          uids.add(c.m.uid());
        }
      }
      Map<Long, MimePart> got = FetchCommand.structures(s, uids);
      for (SearchCommand.Candidate c : chunk) {
        if (c.structure == null) {
          c.structure = got.get(c.m.uid());
        }
      }
    }
  }

  private static MimePart structure(SearchCommand.Candidate c) {
    // null only if the message was expunged between the search and now: it sorts as empty
    return c.structure;
  }

  private static Object sortKey(String name, SearchCommand.Candidate c) {
    MimePart p = structure(c);
    return switch (name) {
      case "ARRIVAL" -> c.m.internalDate();
      case "SIZE" -> c.m.size();
      case "DATE" -> sentDate(c);
      case "SUBJECT" ->
          new Key(casemap(baseSubject(p == null ? null : p.header("Subject")).text()));
      case "FROM", "TO", "CC" -> new Key(casemap(firstMailbox(p, name, false)));
      case "DISPLAYFROM" -> new Key(casemap(firstMailbox(p, "FROM", true)));
      case "DISPLAYTO" -> new Key(casemap(firstMailbox(p, "TO", true)));
      default -> throw new IllegalStateException(name);
    };
  }

  /**
   * The sort key of a string under RFC 5051 i;unicode-casemap (the collation of RFC 5255
   * I18NLEVEL=1, which RFC 5256 requires): each character title-cased, then decomposed (NFKD), so
   * that "\u00c9mile" sorts as "E\u0301MILE", between "e@x" and "f@x", as Dovecot sorts it.
   * Compared code point by code point (= UTF-8 octet order) via {@link #compare}.
   */
  static String casemap(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> sb.appendCodePoint(Character.toTitleCase(cp)));
    return java.text.Normalizer.normalize(sb, java.text.Normalizer.Form.NFKD);
  }

  /** Code point order (what comparing UTF-8 octets gives), unlike String.compareTo's UTF-16. */
  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** A casemapped string that sorts in code point order. */
  record Key(String text) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      return compare(text, o.text);
    }
  }

  /**
   * RFC 5256 FROM/TO/CC: the addr-mailbox (local part) of the first address; RFC 5957 DISPLAYFROM
   * and DISPLAYTO: its display name, decoded, or the address when it has none; "" without address.
   */
  private static String firstMailbox(MimePart p, String header, boolean display) {
    if (p == null) {
      return "";
    }
    String v = p.header(header);
    for (Address a : StructureWriter.parse(v)) {
      Mailbox mb =
          a instanceof Group g
              ? (g.getMailboxes().isEmpty() ? null : g.getMailboxes().get(0))
              : (Mailbox) a;
      if (mb == null) {
        continue;
      }
      if (!display) {
        return mb.getLocalPart() == null ? "" : mb.getLocalPart();
      }
      String n = mb.getName();
      return n == null || n.isBlank() ? mb.getAddress() : n;
    }
    return "";
  }

  /** The Date header as an instant (its zone applied), or the internal date (RFC 5256 2.2). */
  static Instant sentDate(SearchCommand.Candidate c) {
    MimePart p = structure(c);
    String v = p == null ? null : p.header("Date");
    if (v != null) {
      try {
        if (LenientFieldParser.parse("Date: " + v) instanceof DateTimeField f
            && f.getDate() != null) {
          return f.getDate().toInstant();
        }
      } catch (org.apache.james.mime4j.MimeException | RuntimeException e) {
        // unparseable: the internal date stands in
      }
    }
    return c.m.internalDate();
  }

  /** A base subject and whether extracting it removed a reply or forward marker. */
  record Subject(String text, boolean reply) {}

  private static final Pattern REFWD =
      Pattern.compile(
          "^[ \\t]*(?:re|fwd?)[ \\t]*(?:\\[[^\\[\\]]*\\][ \\t]*)?:", Pattern.CASE_INSENSITIVE);
  private static final Pattern BLOB = Pattern.compile("^[ \\t]*\\[[^\\[\\]]*\\][ \\t]*");
  private static final Pattern TRAILER =
      Pattern.compile("(?:[ \\t]*\\(fwd\\)|[ \\t]+)$", Pattern.CASE_INSENSITIVE);

  /** RFC 5256 section 2.1: the base subject of a Subject header (ISO-8859-1 byte string). */
  static Subject baseSubject(String raw) {
    if (raw == null) {
      return new Subject("", false);
    }
    String utf8 = new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    String s = DecoderUtil.decodeEncodedWords(utf8, DecodeMonitor.SILENT);
    // (1) every run of white space becomes one space; leading and trailing space go
    s = s.replaceAll("[ \\t\\r\\n]+", " ").trim();
    boolean reply = false;
    while (true) {
      // (2) trailing "(fwd)" and white space
      Matcher t = TRAILER.matcher(s);
      while (!s.isEmpty() && t.find()) {
        if (t.group().trim().length() > 0) {
          reply = true;
        }
        s = s.substring(0, t.start());
        t = TRAILER.matcher(s);
      }
      // (3)-(5) leading "re:", "fw:", "fwd:" (with a blob before the colon) and blobs, as long as
      // something is left
      boolean changed = true;
      while (changed) {
        changed = false;
        Matcher m = REFWD.matcher(s);
        if (m.find()) {
          s = s.substring(m.end());
          reply = true;
          changed = true;
          continue;
        }
        Matcher b = BLOB.matcher(s);
        if (b.find() && b.end() < s.length()) {
          s = s.substring(b.end());
          changed = true;
        }
      }
      s = s.strip();
      // (6) "[fwd: ... ]" wrapped around the whole subject
      if (s.length() >= 6 && s.regionMatches(true, 0, "[fwd:", 0, 5) && s.endsWith("]")) {
        s = s.substring(5, s.length() - 1).strip();
        reply = true;
        continue;
      }
      return new Subject(s, reply);
    }
  }

  // ---------------------------------------------------------------- THREAD

  static void thread(ImapSession s, String tag, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    String algorithm = r.upperAtom();
    r.space();
    String charset = r.astring();
    r.space();
    s.modSeqSearched = false;
    List<SearchCommand.Key> keys = SearchCommand.criteria(s, r);
    if (!algorithm.equals("ORDEREDSUBJECT") && !algorithm.equals("REFERENCES")) {
      throw new ImapParseException("Unknown threading algorithm " + algorithm);
    }
    SearchCommand.checkCharset(charset);
    List<SearchCommand.Candidate> found = SearchCommand.matching(s, keys);
    loadStructures(s, found, true);
    List<Node> roots =
        algorithm.equals("ORDEREDSUBJECT")
            ? Threading.orderedSubject(found)
            : Threading.references(found);
    StringBuilder sb = new StringBuilder("THREAD");
    if (!roots.isEmpty()) {
      sb.append(' ');
    }
    for (Node root : roots) {
      sb.append('(');
      Threading.write(root, sb, uid);
      sb.append(')');
    }
    s.out.untagged(sb.toString());
    if (uid) {
      s.ok(tag, "UID THREAD completed");
    } else {
      s.okNoExpunge(tag, "THREAD completed");
    }
  }

  /** A thread tree node: a message, or a dummy (message == null) standing for a missing one. */
  static final class Node {
    SearchCommand.Candidate message;
    Node parent;
    final List<Node> children = new ArrayList<>();

    Node(SearchCommand.Candidate message) {
      this.message = message;
    }

    boolean isDummy() {
      return message == null;
    }

    void add(Node child) {
      if (child.parent != null) {
        child.parent.children.remove(child);
      }
      child.parent = this;
      children.add(child);
    }

    boolean isAncestorOf(Node n) {
      for (Node p = n; p != null; p = p.parent) {
        if (p == this) {
          return true;
        }
      }
      return false;
    }
  }

  /** The thread algorithms of RFC 5256 section 3. */
  static final class Threading {
    private Threading() {}

    /** ORDEREDSUBJECT: by base subject, then sent date; each subject one flat thread. */
    static List<Node> orderedSubject(List<SearchCommand.Candidate> found) {
      List<SearchCommand.Candidate> sorted = new ArrayList<>(found);
      Map<SearchCommand.Candidate, String> subject = new HashMap<>();
      for (SearchCommand.Candidate c : sorted) {
        MimePart p = structure(c);
        subject.put(c, casemap(baseSubject(p == null ? null : p.header("Subject")).text()));
      }
      sorted.sort(
          Comparator.comparing((SearchCommand.Candidate c) -> new Key(subject.get(c)))
              .thenComparing(SortCommand::sentDate)
              .thenComparingInt(c -> c.msn));
      List<Node> roots = new ArrayList<>();
      Node root = null;
      String current = null;
      for (SearchCommand.Candidate c : sorted) {
        if (root == null || !subject.get(c).equals(current)) {
          root = new Node(c);
          roots.add(root);
          current = subject.get(c);
        } else {
          root.add(new Node(c));
        }
      }
      roots.sort(
          Comparator.comparing((Node n) -> sentDate(n.message))
              .thenComparingInt(n -> n.message.msn));
      return roots;
    }

    private static final Pattern MSG_ID = Pattern.compile("<[^<>]*>");

    /** Message ids kept per header: the last ones, the nearest ancestors (bounds the table). */
    static final int MAX_REFERENCES = 100;

    private static List<String> ids(String value) {
      java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
      if (value != null) {
        Matcher m = MSG_ID.matcher(value);
        while (m.find()) {
          out.addLast(m.group());
          if (out.size() > MAX_REFERENCES) {
            out.removeFirst();
          }
        }
      }
      return new ArrayList<>(out);
    }

    /** REFERENCES: the algorithm of RFC 5256 section 3 (after Jamie Zawinski's). */
    static List<Node> references(List<SearchCommand.Candidate> found) {
      Map<String, Node> table = new HashMap<>();
      int unique = 0;
      for (SearchCommand.Candidate c : found) {
        MimePart p = structure(c);
        List<String> own = ids(p == null ? null : p.header("Message-ID"));
        String id = own.isEmpty() ? null : own.get(0);
        Node node = id == null ? null : table.get(id);
        if (node == null || !node.isDummy()) {
          // (1) no or a duplicate Message-ID: a unique one is made up
          if (node != null || id == null) {
            id = "<\0unique-" + (unique++) + ">";
          }
          node = new Node(c);
          table.put(id, node);
        } else {
          node.message = c;
        }
        List<String> refs = ids(p == null ? null : p.header("References"));
        if (refs.isEmpty()) {
          List<String> reply = ids(p == null ? null : p.header("In-Reply-To"));
          if (!reply.isEmpty()) {
            refs = List.of(reply.get(0));
          }
        }
        // (1A) link the references in order, unless one already has a parent or a loop results
        Node prev = null;
        for (String ref : refs) {
          Node rn = table.computeIfAbsent(ref, k -> new Node(null));
          if (prev != null && rn.parent == null && rn != prev && !rn.isAncestorOf(prev)) {
            prev.add(rn);
          }
          prev = rn;
        }
        // (1B) the message's parent is the last reference (replacing any other), unless a loop
        if (prev != null && prev != node && !node.isAncestorOf(prev)) {
          prev.add(node);
        } else if (prev == null && node.parent != null) {
          node.parent.children.remove(node);
          node.parent = null;
        }
      }
      // (2) the root set
      List<Node> roots = new ArrayList<>();
      for (Node n : new LinkedHashSet<>(table.values())) {
        if (n.parent == null) {
          roots.add(n);
        }
      }
      // (4) prune dummies
      roots = prune(roots, true);
      for (Node r : roots) {
        r.parent = null;
      }
      // (6, for subjects) siblings sorted by date first, so a dummy's first child is its earliest
      for (Node r : roots) {
        sortTree(r);
      }
      // (5) gather roots by base subject
      Map<String, Node> bySubject = new HashMap<>();
      for (Node r : roots) {
        Subject sub = subjectOf(r);
        if (sub.text().isEmpty()) {
          continue;
        }
        String key = casemap(sub.text());
        Node old = bySubject.get(key);
        if (old == null
            || (r.isDummy() && !old.isDummy())
            || (!old.isDummy() && subjectOf(old).reply() && !sub.reply())) {
          bySubject.put(key, r);
        }
      }
      List<Node> merged = new ArrayList<>();
      for (Node r : roots) {
        Subject sub = subjectOf(r);
        Node c = sub.text().isEmpty() ? null : bySubject.get(casemap(sub.text()));
        if (c == null || c == r) {
          merged.add(r);
          continue;
        }
        if (c.isDummy() && r.isDummy()) {
          for (Node child : List.copyOf(r.children)) {
            c.add(child);
          }
        } else if (c.isDummy() != r.isDummy()) {
          Node dummy = c.isDummy() ? c : r;
          Node other = c.isDummy() ? r : c;
          dummy.add(other);
          if (dummy == r) {
            // the table's entry is now inside this dummy: the dummy takes its place
            bySubject.put(casemap(sub.text()), r);
            merged.remove(c);
            merged.add(r);
          }
        } else if (!subjectOf(c).reply() && sub.reply()) {
          c.add(r);
        } else {
          Node dummy = new Node(null);
          int at = merged.indexOf(c);
          dummy.add(c);
          dummy.add(r);
          c.parent = dummy;
          if (at >= 0) {
            merged.set(at, dummy);
          } else {
            merged.add(dummy);
          }
          bySubject.put(casemap(sub.text()), dummy);
        }
      }
      for (Node r : merged) {
        r.parent = null;
        sortTree(r);
      }
      // (6) roots by the date of their first message
      merged.sort(
          Comparator.comparing((Node n) -> sentDate(first(n).message))
              .thenComparingInt(n -> first(n).message.msn));
      return merged;
    }

    private static Node first(Node n) {
      Node f = n;
      while (f.isDummy() && !f.children.isEmpty()) {
        f = f.children.get(0);
      }
      return f;
    }

    private static Subject subjectOf(Node n) {
      Node m = first(n);
      MimePart p = m.message == null ? null : structure(m.message);
      return baseSubject(p == null ? null : p.header("Subject"));
    }

    /**
     * RFC 5256 3 (4): a dummy without children goes; a dummy with children gives them to its
     * parent, except at the root where only a single child is promoted.
     */
    private static List<Node> prune(List<Node> nodes, boolean root) {
      List<Node> out = new ArrayList<>();
      for (Node n : nodes) {
        List<Node> kids = prune(List.copyOf(n.children), false);
        n.children.clear();
        for (Node k : kids) {
          k.parent = n;
          n.children.add(k);
        }
        if (n.isDummy()) {
          if (n.children.isEmpty()) {
            continue;
          }
          if (!root || n.children.size() == 1) {
            out.addAll(n.children);
            continue;
          }
        }
        out.add(n);
      }
      return out;
    }

    private static void sortTree(Node n) {
      for (Node c : n.children) {
        c.parent = n;
        sortTree(c);
      }
      n.children.sort(
          Comparator.comparing((Node c) -> sentDate(first(c).message))
              .thenComparingInt(c -> first(c).message.msn));
    }

    /** Writes a thread: a node, then its single child inline or its children as subthreads. */
    static void write(Node n, StringBuilder sb, boolean uid) {
      boolean wrote = false;
      if (!n.isDummy()) {
        sb.append(uid ? n.message.m.uid() : n.message.msn);
        wrote = true;
      }
      if (n.children.size() == 1 && wrote) {
        sb.append(' ');
        write(n.children.get(0), sb, uid);
      } else {
        for (Node c : n.children) {
          if (wrote) {
            sb.append(' ');
            wrote = false;
          }
          sb.append('(');
          write(c, sb, uid);
          sb.append(')');
        }
      }
    }
  }
}
