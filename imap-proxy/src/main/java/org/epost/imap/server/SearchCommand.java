package org.epost.imap.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.james.mime4j.dom.field.DateTimeField;
import org.apache.james.mime4j.field.LenientFieldParser;
import org.epost.imap.api.MessageRecord;
import org.epost.imap.api.TextSearch;
import org.epost.imap.codec.CommandReader;
import org.epost.imap.codec.ImapParseException;
import org.epost.imap.mime.DecodedText;
import org.epost.imap.mime.MimePart;

/** SEARCH and UID SEARCH with every RFC 3501 search key; CHARSET UTF-8 and US-ASCII. */
final class SearchCommand {
  /** RFC 3501 date: month names in any case ({@code 24-mar-2007}). */
  private static final DateTimeFormatter DATE =
      new java.time.format.DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .appendPattern("d-MMM-yyyy")
          .toFormatter(Locale.ENGLISH);

  /** The date part of an RFC 5322 date-time: optional day name, day, month, year. */
  private static final java.util.regex.Pattern HEADER_DATE =
      java.util.regex.Pattern.compile(
          "^\\s*(?:[A-Za-z]{3}\\s*,)?\\s*(\\d{1,2})\\s+([A-Za-z]{3})[a-z]*\\s+(\\d{2,4})\\b");

  /** One message being tested; structure and body are loaded only if a key needs them. */
  static final class Candidate {
    final ImapSession s;
    final int msn;
    final MessageRecord m;
    MimePart structure;
    private final Prefetch prefetch;

    Candidate(ImapSession s, int msn, MessageRecord m, Prefetch prefetch) {
      this.s = s;
      this.msn = msn;
      this.m = m;
      this.prefetch = prefetch;
    }

    MimePart structure() throws CommandFailed {
      if (structure == null) {
        structure = prefetch.get(msn, m);
      }
      return structure;
    }

    String header(String name) throws CommandFailed {
      StringBuilder sb = new StringBuilder();
      for (MimePart.Field f : structure().fields()) {
        if (f.name().equalsIgnoreCase(name)) {
          sb.append(f.value()).append('\n');
        }
      }
      return sb.length() == 0
          ? null
          : new String(sb.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** The addresses of a header as searchable text (see StructureWriter.searchText). */
    String addressText(String name) throws CommandFailed {
      StringBuilder sb = new StringBuilder();
      for (MimePart.Field f : structure().fields()) {
        if (f.name().equalsIgnoreCase(name)) {
          sb.append(org.epost.imap.mime.StructureWriter.searchText(f.value()));
        }
      }
      return sb.toString();
    }

    boolean bodyContains(String needle, boolean includeHeader) throws CommandFailed {
      TextSearch.Hits hits = prefetch.textHits(needle, includeHeader);
      if (hits != null) {
        switch (hits.verdict(m.uid())) {
          case MATCH:
            return true;
          case NO_MATCH:
            return false;
          default:
            break; // the index cannot tell: read the message
        }
      }
      List<DecodedText.Segment> segments = DecodedTextSearch.segments(structure(), includeHeader);
      if (segments.isEmpty()) {
        return needle.isEmpty();
      }
      try (InputStream in = s.call(() -> s.user.read(s.selected.name, m.uid(), 0, m.size()))) {
        return DecodedTextSearch.contains(in, segments, needle);
      } catch (IOException e) {
        throw CommandFailed.no(
            "SERVERBUG", "Cannot read message " + m.uid() + ": " + e.getMessage());
      }
    }
  }

  /**
   * Structures for a search over the mailbox, asked of the backend {@link
   * FetchCommand#STRUCTURE_BATCH} messages at a time, and only once a key needs one: a header
   * search over 10,000 messages is 40 round trips, not 10,000. Holds at most one batch.
   */
  static final class Prefetch {
    private final ImapSession s;
    private final Map<Long, MimePart> batch = new HashMap<>();
    private final Map<String, Optional<TextSearch.Hits>> textHits = new HashMap<>();

    Prefetch(ImapSession s) {
      this.s = s;
    }

    /**
     * The backend's index verdicts for a BODY or TEXT key in this run (asked once per key and run,
     * so a kept search sees new messages), or null if the session has no index or the index cannot
     * help with this needle. At most one entry per search key of the command.
     */
    TextSearch.Hits textHits(String needle, boolean includeHeader) throws CommandFailed {
      if (!(s.user instanceof TextSearch index)) {
        return null;
      }
      String key = (includeHeader ? "TEXT " : "BODY ") + needle;
      Optional<TextSearch.Hits> hits = textHits.get(key);
      if (hits == null) {
        String mailbox = s.selected.name;
        hits = Optional.ofNullable(s.call(() -> index.searchText(mailbox, needle, includeHeader)));
        textHits.put(key, hits);
      }
      return hits.orElse(null);
    }

    MimePart get(int msn, MessageRecord m) throws CommandFailed {
      MimePart p = batch.remove(m.uid());
      if (p != null) {
        return p;
      }
      List<MessageRecord> all = s.selected.all();
      List<Long> uids = new ArrayList<>();
      for (int i = msn - 1; i < all.size() && uids.size() < FetchCommand.STRUCTURE_BATCH; i++) {
        uids.add(all.get(i).uid());
      }
      batch.clear();
      batch.putAll(FetchCommand.structures(s, uids));
      p = batch.remove(m.uid());
      if (p == null) {
        throw CommandFailed.no("NONEXISTENT", "Message " + m.uid() + " was expunged");
      }
      return p;
    }
  }

  @FunctionalInterface
  interface Key {
    boolean matches(Candidate c) throws CommandFailed;
  }

  private SearchCommand() {}

  static void run(ImapSession s, String tag, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    s.modSeqSearched = false;
    Set<String> returns = null;
    long[] partial = null;
    if ("RETURN".equalsIgnoreCase(r.peek() == '(' ? null : peekAtom(r))) {
      // RFC 4731 ESEARCH: SEARCH RETURN (MIN MAX COUNT ALL) criteria
      r.atom();
      r.space();
      returns = new java.util.LinkedHashSet<>();
      r.expect('(');
      boolean empty = true;
      while (!r.tryConsume(')')) {
        r.tryConsume(' ');
        empty = false;
        String o = r.upperAtom();
        switch (o) {
          case "MIN", "MAX", "COUNT", "ALL", "UPDATE" -> returns.add(o);
          case "CONTEXT" -> {
            // RFC 5267: a hint that the result will be asked for again; nothing to do
          }
          case "PARTIAL" -> {
            // RFC 5267 4.4: the results at positions low:high
            r.space();
            partial = partialRange(r.atom());
            returns.add("PARTIAL");
          }
          default -> throw new ImapParseException("Unknown SEARCH RETURN option " + o);
        }
      }
      if (empty) {
        returns.add("ALL");
      }
      r.space();
    }
    List<Key> keys = new ArrayList<>();
    String first = r.peek() == '(' ? null : peekAtom(r);
    if ("CHARSET".equalsIgnoreCase(first)) {
      r.atom();
      r.space();
      String cs = r.astring();
      if (!cs.equalsIgnoreCase("UTF-8") && !cs.equalsIgnoreCase("US-ASCII")) {
        throw CommandFailed.no(
            "BADCHARSET (UTF-8 US-ASCII)", "Charset " + cs + " is not supported");
      }
      r.space();
    }
    keys.add(key(s, r, 0));
    while (r.tryConsume(' ')) {
      keys.add(key(s, r, 0));
    }
    r.end();
    StringBuilder result = new StringBuilder("SEARCH");
    long highest = 0;
    List<Long> found = new ArrayList<>();
    List<MessageRecord> all = new ArrayList<>(s.selected.all());
    Prefetch prefetch = new Prefetch(s);
    for (int i = 0; i < all.size(); i++) {
      MessageRecord m = all.get(i);
      if (s.selected.isExpungedPending(m.uid())) {
        continue;
      }
      Candidate c = new Candidate(s, i + 1, m, prefetch);
      boolean ok = true;
      try {
        for (Key k : keys) {
          if (!k.matches(c)) {
            ok = false;
            break;
          }
        }
      } catch (CommandFailed e) {
        if (!"NONEXISTENT".equals(e.code())) {
          throw e;
        }
        // expunged by another session while we read it: it matches nothing; the EXPUNGE
        // follows at the next point where it is allowed
        s.selected.markDirty();
        ok = false;
      }
      if (ok) {
        if (returns == null) {
          result.append(' ').append(uid ? m.uid() : i + 1);
        } else {
          found.add(uid ? m.uid() : i + 1);
        }
        highest = Math.max(highest, m.modSeq());
      }
    }
    if (returns != null) {
      s.out.untagged(esearch(tag, uid, returns, found, s.modSeqSearched ? highest : 0, partial));
      if (returns.contains("UPDATE")) {
        List<Long> uids = new ArrayList<>();
        for (long id : found) {
          uids.add(uid ? id : s.selected.byMsn((int) id).uid());
        }
        if (!s.live.add(tag, uid, keys, uids)) {
          s.out.untagged(
              "NO [NOUPDATE \""
                  + tag
                  + "\"] At most "
                  + LiveSearches.MAX
                  + " searches are kept up to date");
        }
      }
    } else {
      if (s.modSeqSearched && highest > 0) {
        result.append(" (MODSEQ ").append(highest).append(')');
      }
      s.out.untagged(result.toString());
    }
    if (uid) {
      s.ok(tag, "UID SEARCH completed");
    } else {
      s.okNoExpunge(tag, "SEARCH completed");
    }
  }

  /**
   * The RFC 4731 answer: {@code ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [COUNT n] [ALL set]}, with
   * MIN, MAX and ALL left out when nothing matched, and RFC 7162's MODSEQ when searched by it.
   */
  static String esearch(
      String tag,
      boolean uid,
      Set<String> returns,
      List<Long> found,
      long highestModSeq,
      long[] partial) {
    StringBuilder sb = new StringBuilder("ESEARCH (TAG \"").append(tag).append("\")");
    if (uid) {
      sb.append(" UID");
    }
    if (!found.isEmpty()) {
      if (returns.contains("MIN")) {
        sb.append(" MIN ").append(found.get(0));
      }
      if (returns.contains("MAX")) {
        sb.append(" MAX ").append(found.get(found.size() - 1));
      }
    }
    if (returns.contains("COUNT")) {
      sb.append(" COUNT ").append(found.size());
    }
    if (!found.isEmpty() && returns.contains("ALL")) {
      sb.append(" ALL ").append(MessageCommands.uidSet(found));
    }
    if (partial != null) {
      long lo = Math.min(partial[0], partial[1]);
      long hi = Math.max(partial[0], partial[1]);
      List<Long> window = new ArrayList<>();
      for (long i = lo; i <= hi && i <= found.size(); i++) {
        window.add(found.get((int) i - 1));
      }
      sb.append(" PARTIAL (")
          .append(lo)
          .append(':')
          .append(hi)
          .append(' ')
          .append(window.isEmpty() ? "NIL" : MessageCommands.uidSet(window))
          .append(')');
    }
    if (highestModSeq > 0 && !found.isEmpty()) {
      sb.append(" MODSEQ ").append(highestModSeq);
    }
    return sb.toString();
  }

  /** An RFC 5267 PARTIAL range {@code low:high} (both at least 1). */
  static long[] partialRange(String range) throws ImapParseException {
    String[] lh = range.split(":", -1);
    long[] partial;
    try {
      partial = new long[] {Long.parseLong(lh[0]), Long.parseLong(lh[1])};
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new ImapParseException("Invalid PARTIAL range " + range);
    }
    if (partial[0] < 1 || partial[1] < 1 || lh.length != 2) {
      throw new ImapParseException("Invalid PARTIAL range " + range);
    }
    return partial;
  }

  /** Whether one message matches every key (false if it was expunged while being read). */
  static boolean matches(
      ImapSession s, List<Key> keys, int msn, MessageRecord m, Prefetch prefetch) {
    Candidate c = new Candidate(s, msn, m, prefetch);
    try {
      for (Key k : keys) {
        if (!k.matches(c)) {
          return false;
        }
      }
      return true;
    } catch (CommandFailed e) {
      return false;
    }
  }

  /** Checks a SORT/THREAD charset (mandatory there). */
  static void checkCharset(String cs) throws CommandFailed {
    if (!cs.equalsIgnoreCase("UTF-8") && !cs.equalsIgnoreCase("US-ASCII")) {
      throw CommandFailed.no("BADCHARSET (UTF-8 US-ASCII)", "Charset " + cs + " is not supported");
    }
  }

  /** Search keys up to the end of the command (for SORT and THREAD). */
  static List<Key> criteria(ImapSession s, CommandReader r) throws ImapParseException {
    List<Key> keys = new ArrayList<>();
    keys.add(key(s, r, 0));
    while (r.tryConsume(' ')) {
      keys.add(key(s, r, 0));
    }
    r.end();
    return keys;
  }

  /**
   * The messages matching every key, as candidates in MSN order; one expunged by another session
   * while it is read matches nothing.
   */
  static List<Candidate> matching(ImapSession s, List<Key> keys) throws CommandFailed {
    List<Candidate> out = new ArrayList<>();
    Prefetch prefetch = new Prefetch(s);
    List<MessageRecord> all = s.selected.all();
    for (int i = 0; i < all.size(); i++) {
      MessageRecord m = all.get(i);
      if (s.selected.isExpungedPending(m.uid())) {
        continue;
      }
      Candidate c = new Candidate(s, i + 1, m, prefetch);
      try {
        boolean ok = true;
        for (Key k : keys) {
          if (!k.matches(c)) {
            ok = false;
            break;
          }
        }
        if (ok) {
          out.add(c);
        }
      } catch (CommandFailed e) {
        if (!"NONEXISTENT".equals(e.code())) {
          throw e;
        }
        s.selected.markDirty();
      }
    }
    return out;
  }

  private static String peekAtom(CommandReader r) {
    String rest = r.rest();
    int sp = rest.indexOf(' ');
    return sp < 0 ? rest : rest.substring(0, sp);
  }

  private static Key key(ImapSession s, CommandReader r, int depth) throws ImapParseException {
    if (depth > r.maxNesting()) {
      throw new ImapParseException("Search keys nested too deeply");
    }
    if (r.tryConsume('(')) {
      List<Key> all = new ArrayList<>();
      all.add(key(s, r, depth + 1));
      while (r.tryConsume(' ')) {
        all.add(key(s, r, depth + 1));
      }
      r.expect(')');
      return c -> {
        for (Key k : all) {
          if (!k.matches(c)) {
            return false;
          }
        }
        return true;
      };
    }
    String name = r.atom("()").toUpperCase(Locale.ROOT);
    switch (name) {
      case "ALL":
        return c -> true;
      case "ANSWERED":
        return flag(Flags.ANSWERED, true);
      case "DELETED":
        return flag(Flags.DELETED, true);
      case "DRAFT":
        return flag(Flags.DRAFT, true);
      case "FLAGGED":
        return flag(Flags.FLAGGED, true);
      case "SEEN":
        return flag(Flags.SEEN, true);
      case "UNANSWERED":
        return flag(Flags.ANSWERED, false);
      case "UNDELETED":
        return flag(Flags.DELETED, false);
      case "UNDRAFT":
        return flag(Flags.DRAFT, false);
      case "UNFLAGGED":
        return flag(Flags.FLAGGED, false);
      case "UNSEEN":
        return flag(Flags.SEEN, false);
      case "NEW":
        return c -> c.s.selected.isRecent(c.m.uid()) && !c.m.flags().contains(Flags.SEEN);
      case "OLD":
        return c -> !c.s.selected.isRecent(c.m.uid());
      case "RECENT":
        return c -> c.s.selected.isRecent(c.m.uid());
      case "KEYWORD":
      case "UNKEYWORD":
        {
          r.space();
          String kw = r.atom();
          boolean want = name.equals("KEYWORD");
          return c -> Flags.has(c.m.flags(), kw) == want;
        }
      case "SUBJECT":
        {
          r.space();
          String needle = r.astring();
          return c -> containsIgnoreCase(c.header(name), needle);
        }
      case "BCC":
      case "CC":
      case "FROM":
      case "TO":
        {
          r.space();
          String needle = r.astring();
          // the header as written, or its addresses with comments and folding taken out
          return c -> {
            String raw = c.header(name);
            return containsIgnoreCase(raw, needle)
                || (raw != null && containsIgnoreCase(c.addressText(name), needle));
          };
        }
      case "HEADER":
        {
          r.space();
          String field = r.astring();
          r.space();
          String needle = r.astring();
          return c -> {
            String v = c.header(field);
            return v != null && (needle.isEmpty() || containsIgnoreCase(v, needle));
          };
        }
      case "BODY":
      case "TEXT":
        {
          r.space();
          String needle = r.astring();
          boolean text = name.equals("TEXT");
          return c -> c.bodyContains(needle, text);
        }
      case "BEFORE":
      case "ON":
      case "SINCE":
      case "SENTBEFORE":
      case "SENTON":
      case "SENTSINCE":
        {
          r.space();
          LocalDate d = date(r.astring());
          boolean sent = name.startsWith("SENT");
          String cmp = sent ? name.substring(4) : name;
          return c -> {
            LocalDate actual =
                sent ? sentDate(c) : c.m.internalDate().atZone(ZoneOffset.UTC).toLocalDate();
            if (actual == null) {
              return false;
            }
            return switch (cmp) {
              case "BEFORE" -> actual.isBefore(d);
              case "ON" -> actual.isEqual(d);
              default -> !actual.isBefore(d);
            };
          };
        }
      case "LARGER":
      case "SMALLER":
        {
          r.space();
          long n = r.number();
          boolean larger = name.equals("LARGER");
          return c -> larger ? c.m.size() > n : c.m.size() < n;
        }
      case "NOT":
        {
          r.space();
          Key k = key(s, r, depth + 1);
          return c -> !k.matches(c);
        }
      case "OR":
        {
          r.space();
          Key a = key(s, r, depth + 1);
          r.space();
          Key b = key(s, r, depth + 1);
          return c -> a.matches(c) || b.matches(c);
        }
      case "MODSEQ":
        {
          // RFC 7162 3.1.5: MODSEQ ["entry-name" entry-type] mod-sequence-valzer
          r.space();
          if (r.peek() == '"') {
            r.string();
            r.space();
            r.atom();
            r.space();
          }
          long n = FetchRequest.modSeq(r);
          s.condstore = true;
          s.modSeqSearched = true;
          return c -> c.m.modSeq() >= n;
        }
      case "UID":
        {
          r.space();
          SequenceSet set = SequenceSet.parse(r.atom("(){\"\\"));
          long max = s.selected.maxUid();
          return c -> set.contains(c.m.uid(), max);
        }
      default:
        {
          if (!name.isEmpty() && (Character.isDigit(name.charAt(0)) || name.charAt(0) == '*')) {
            SequenceSet set = SequenceSet.parse(name);
            int count = s.selected.count();
            return c -> set.contains(c.msn, count);
          }
          throw new ImapParseException("Unknown search key " + name);
        }
    }
  }

  private static Key flag(String flag, boolean present) {
    return c -> c.m.flags().contains(flag) == present;
  }

  private static boolean containsIgnoreCase(String haystack, String needle) {
    return haystack != null
        && haystack.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
  }

  private static LocalDate date(String text) throws ImapParseException {
    try {
      return LocalDate.parse(text.trim(), DATE);
    } catch (DateTimeParseException e) {
      throw new ImapParseException("Invalid date \"" + text + "\" (expected e.g. 1-Feb-2024)");
    }
  }

  private static LocalDate sentDate(Candidate c) throws CommandFailed {
    String v = c.structure().header("Date");
    if (v == null) {
      return null;
    }
    // the date as written, whatever its time and zone (RFC 3501 6.4.4)
    java.util.regex.Matcher m = HEADER_DATE.matcher(v.replaceAll("\\([^()]*\\)", " "));
    if (m.find()) {
      int year = Integer.parseInt(m.group(3));
      if (m.group(3).length() == 2) {
        year += year < 50 ? 2000 : 1900; // RFC 5322 4.3 obsolete two-digit years
      } else if (m.group(3).length() == 3) {
        year += 1900;
      }
      try {
        return LocalDate.parse(m.group(1) + "-" + m.group(2) + "-" + year, DATE);
      } catch (DateTimeParseException e) {
        // fall through to the lenient parser
      }
    }
    try {
      if (LenientFieldParser.parse("Date: " + v) instanceof DateTimeField f
          && f.getDate() != null) {
        return f.getDate().toInstant().atZone(ZoneOffset.UTC).toLocalDate();
      }
    } catch (org.apache.james.mime4j.MimeException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
