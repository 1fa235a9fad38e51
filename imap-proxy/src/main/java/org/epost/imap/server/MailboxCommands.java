package org.epost.imap.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.epost.imap.api.MailboxInfo;
import org.epost.imap.api.MailboxSnapshot;
import org.epost.imap.api.MessageRecord;
import org.epost.imap.codec.CommandReader;
import org.epost.imap.codec.ImapParseException;

/** SELECT, EXAMINE, CREATE, DELETE, RENAME, (UN)SUBSCRIBE, LIST, LSUB and STATUS. */
final class MailboxCommands {
  private MailboxCommands() {}

  static void run(ImapSession s, String tag, String name, CommandReader r)
      throws ImapParseException, CommandFailed {
    switch (name) {
      case "SELECT", "EXAMINE" -> select(s, tag, name, r);
      case "CREATE" -> {
        r.space();
        String mailbox = mailboxName(s, r.astring());
        r.end();
        if (mailbox.equalsIgnoreCase("INBOX")) {
          throw CommandFailed.no("ALREADYEXISTS", "INBOX always exists");
        }
        String d = String.valueOf(s.user.hierarchyDelimiter());
        if (mailbox.endsWith(d)) {
          mailbox = mailbox.substring(0, mailbox.length() - 1);
        }
        String created = mailbox;
        s.run(() -> s.user.createMailbox(created));
        s.ok(tag, "CREATE completed");
      }
      case "DELETE" -> {
        r.space();
        String mailbox = mailboxName(s, r.astring());
        r.end();
        if (mailbox.equalsIgnoreCase("INBOX")) {
          throw CommandFailed.no("CANNOT", "INBOX cannot be deleted");
        }
        if (s.selected != null && s.selected.name.equals(mailbox)) {
          s.deselect();
        }
        s.run(() -> s.user.deleteMailbox(mailbox));
        s.ok(tag, "DELETE completed");
      }
      case "RENAME" -> {
        r.space();
        String from = mailboxName(s, r.astring());
        r.space();
        String to = mailboxName(s, r.astring());
        r.end();
        s.run(() -> s.user.renameMailbox(from, to));
        s.ok(tag, "RENAME completed");
      }
      case "SUBSCRIBE", "UNSUBSCRIBE" -> {
        r.space();
        String mailbox = mailboxName(s, r.astring());
        r.end();
        s.run(() -> s.user.setSubscribed(mailbox, name.equals("SUBSCRIBE")));
        s.ok(tag, name + " completed");
      }
      case "LIST", "LSUB" -> list(s, tag, name, r);
      case "STATUS" -> status(s, tag, r);
      default -> throw new IllegalStateException(name);
    }
  }

  /** Longest mailbox name accepted, in UTF-8 bytes. */
  static final int MAX_NAME_BYTES = 1024;

  /** Most hierarchy levels in a mailbox name. */
  static final int MAX_LEVELS = 32;

  /**
   * A mailbox name from the wire as the backend sees it: checked (no control characters,
   * well-formed modified UTF-7, at most {@link #MAX_LEVELS} levels and {@link #MAX_NAME_BYTES}
   * bytes), decoded to Unicode; INBOX is case-insensitive (RFC 3501 5.1).
   */
  static String mailboxName(ImapSession s, String wire) throws CommandFailed {
    if (wire.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw CommandFailed.no("CANNOT", "Mailbox name contains a control character");
    }
    String name;
    try {
      name = s.decodeName(wire);
    } catch (IllegalArgumentException e) {
      throw CommandFailed.no("CANNOT", "Mailbox name is not valid modified UTF-7 (RFC 3501 5.1.3)");
    }
    return canonical(s, name);
  }

  /**
   * A Unicode mailbox name checked (levels, length, control characters) and with INBOX in its
   * canonical case.
   */
  static String canonical(ImapSession s, String name) throws CommandFailed {
    if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw CommandFailed.no("CANNOT", "Mailbox name contains a control character");
    }
    char d = s.user.hierarchyDelimiter();
    if (name.chars().filter(c -> c == d).count() >= MAX_LEVELS) {
      throw CommandFailed.no("CANNOT", "Mailbox name has more than " + MAX_LEVELS + " levels");
    }
    if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      throw CommandFailed.no("CANNOT", "Mailbox name is longer than " + MAX_NAME_BYTES + " bytes");
    }
    if (name.equalsIgnoreCase("INBOX")) {
      return "INBOX";
    }
    String prefix = "INBOX" + s.user.hierarchyDelimiter();
    if (name.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return prefix + name.substring(prefix.length());
    }
    return name;
  }

  private static void select(ImapSession s, String tag, String name, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    String mailbox = mailboxName(s, r.astring());
    long[] qresync = null;
    SequenceSet knownUids = null;
    if (r.tryConsume(' ')) {
      // RFC 4466 select parameters: (CONDSTORE) and (QRESYNC (uidvalidity modseq [known-uids ...]))
      r.expect('(');
      while (!r.tryConsume(')')) {
        r.tryConsume(' ');
        String param = r.upperAtom();
        if (param.equals("CONDSTORE")) {
          s.condstore = true;
        } else if (param.equals("QRESYNC")) {
          if (!s.qresync) {
            throw CommandFailed.bad("QRESYNC parameter without ENABLE QRESYNC (RFC 7162 3.2.5)");
          }
          r.space();
          r.expect('(');
          long validity = r.number();
          r.space();
          long modSeq = FetchRequest.modSeq(r);
          if (validity == 0 || modSeq == 0) {
            throw new ImapParseException("QRESYNC needs a nonzero UIDVALIDITY and mod-sequence");
          }
          qresync = new long[] {validity, modSeq};
          if (r.tryConsume(' ') && r.peek() != '(') {
            knownUids = SequenceSet.parse(r.atom("(){\"\\"));
            r.tryConsume(' ');
          }
          if (r.tryConsume('(')) {
            // sequence match data: an optimisation the server may ignore (RFC 7162 3.2.5.2)
            SequenceSet.parse(r.atom("(){\"\\"));
            r.space();
            SequenceSet.parse(r.atom("(){\"\\"));
            r.expect(')');
          }
          r.expect(')');
        } else {
          throw new ImapParseException("Unknown SELECT parameter " + param);
        }
      }
    }
    r.end();
    boolean wasSelected = s.selected != null;
    s.deselect();
    if (wasSelected) {
      // RFC 7162 3.2.11: the previous mailbox is closed; what follows is about the new one
      s.out.untagged("OK [CLOSED] Previous mailbox closed");
    }
    MailboxSnapshot snap = s.call(() -> s.user.snapshot(mailbox));
    SelectedMailbox sel =
        new SelectedMailbox(mailbox, snap, name.equals("EXAMINE"), s.recent, s.userName);
    List<MessageRecord> msgs = snap.messages();
    int firstUnseen = snap.firstUnseen();
    sel.knowKeywords(snap.keywords());
    sel.writeFlags(s.out);
    s.out.untagged(msgs.size() + " EXISTS");
    s.out.untagged(sel.recentCount() + " RECENT");
    if (firstUnseen > 0) {
      s.out.untagged("OK [UNSEEN " + firstUnseen + "] First unseen message");
    }
    s.out.untagged("OK [UIDVALIDITY " + snap.uidValidity() + "] UIDs valid");
    s.out.untagged("OK [UIDNEXT " + snap.uidNext() + "] Predicted next UID");
    s.out.untagged("OK [HIGHESTMODSEQ " + snap.highestModSeq() + "] Highest");
    s.selected = sel;
    sel.live = s.live;
    s.state = SessionState.SELECTED;
    sel.registration = s.user.watch(mailbox, (mb, change) -> s.mailboxChanged());
    if (qresync != null && qresync[0] == snap.uidValidity()) {
      long since = qresync[1];
      SequenceSet known = knownUids != null ? knownUids : SequenceSet.parse("1:*");
      FetchCommand.vanishedEarlier(s, known, since);
      List<MessageRecord> all = sel.all();
      SelectedMailbox.Mode mode = s.mode();
      long maxUid = sel.maxUid();
      for (int i = 0; i < all.size(); i++) {
        MessageRecord m = all.get(i);
        if (m.modSeq() > since && known.contains(m.uid(), maxUid)) {
          s.out.untagged(sel.flagsFetch(i + 1, m, mode));
        }
      }
    }
    s.out.tagged(
        tag, "OK [" + (sel.readOnly ? "READ-ONLY" : "READ-WRITE") + "] " + name + " completed");
  }

  /** Most patterns in one LIST (RFC 5258 allows a list of them). */
  static final int MAX_LIST_PATTERNS = 32;

  /**
   * LIST (with RFC 5258 LIST-EXTENDED selection and return options, several patterns, RFC 5819
   * RETURN (STATUS ...), RFC 6154 SPECIAL-USE) and LSUB.
   */
  private static void list(ImapSession s, String tag, String name, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    boolean specialUseOnly = false;
    boolean subscribedOnly = name.equals("LSUB");
    boolean recursive = false;
    boolean extended = false;
    if (name.equals("LIST") && r.tryConsume('(')) {
      extended = true;
      while (!r.tryConsume(')')) {
        r.tryConsume(' ');
        String opt = r.upperAtom();
        switch (opt) {
          case "SPECIAL-USE" -> specialUseOnly = true;
          case "SUBSCRIBED" -> subscribedOnly = true;
          case "RECURSIVEMATCH" -> recursive = true;
          case "REMOTE" -> {
            // no remote mailboxes here: the option changes nothing (RFC 5258 3.1)
          }
          default -> throw new ImapParseException("Unknown LIST selection option " + opt);
        }
      }
      if (recursive && !subscribedOnly && !specialUseOnly) {
        throw new ImapParseException("RECURSIVEMATCH needs another selection option (RFC 5258)");
      }
      r.space();
    }
    String reference = r.astring();
    r.space();
    List<String> patterns = new ArrayList<>();
    if (name.equals("LIST") && r.tryConsume('(')) {
      extended = true;
      do {
        r.tryConsume(' ');
        patterns.add(r.listMailbox());
        if (patterns.size() > MAX_LIST_PATTERNS) {
          throw new ImapParseException("Too many LIST patterns");
        }
      } while (!r.tryConsume(')'));
    } else {
      patterns.add(r.listMailbox());
    }
    boolean returnSubscribed = name.equals("LIST") && subscribedOnly;
    boolean returnSpecialUse = true;
    List<String> statusItems = null;
    if (r.tryConsume(' ')) {
      if (!name.equals("LIST") || !r.upperAtom().equals("RETURN")) {
        throw new ImapParseException("Expected RETURN");
      }
      extended = true;
      r.space();
      r.expect('(');
      while (!r.tryConsume(')')) {
        r.tryConsume(' ');
        String opt = r.upperAtom();
        switch (opt) {
          case "SUBSCRIBED" -> returnSubscribed = true;
          case "CHILDREN", "SPECIAL-USE" -> {
            // always returned
          }
          case "STATUS" -> {
            r.space();
            statusItems = r.atomList();
          }
          default -> throw new ImapParseException("Unknown LIST return option " + opt);
        }
      }
    }
    r.end();
    char d = s.user.hierarchyDelimiter();
    if (patterns.size() == 1 && patterns.get(0).isEmpty() && name.equals("LIST")) {
      s.out.untagged("LIST (\\Noselect) " + s.delimiterString() + " \"\"");
      s.ok(tag, "LIST completed");
      return;
    }
    List<Pattern> regexes = new ArrayList<>();
    boolean percent = false;
    for (String pattern : patterns) {
      try {
        regexes.add(wildcard(s.decodeName(reference + pattern), d));
        percent |= pattern.indexOf('%') >= 0;
      } catch (IllegalArgumentException e) {
        // no mailbox can have a name that is not valid modified UTF-7
      }
    }
    if (regexes.isEmpty()) {
      s.ok(tag, name + " completed");
      return;
    }
    List<MailboxInfo> boxes = s.call(() -> s.user.listMailboxes());
    Set<String> names = new HashSet<>();
    Set<String> selectable = new HashSet<>();
    for (MailboxInfo b : boxes) {
      names.add(b.name());
      if (b.selectable()) {
        selectable.add(b.name());
      }
    }
    List<MailboxInfo> sorted = new ArrayList<>(boxes);
    sorted.sort((a1, b1) -> a1.name().compareTo(b1.name()));
    java.util.TreeMap<String, List<String>> out = new java.util.TreeMap<>();
    java.util.Map<String, String> childInfo = new java.util.HashMap<>();
    Set<String> listable = new HashSet<>();
    for (MailboxInfo b : sorted) {
      boolean ghost = !b.selectable() && names.stream().noneMatch(o -> o.startsWith(b.name() + d));
      if (ghost && !subscribedOnly) {
        // only a subscription, no mailbox: LIST without SUBSCRIBED does not show it (RFC 5258)
        continue;
      }
      if (!(subscribedOnly && !b.subscribed()) && !(specialUseOnly && b.specialUse().isEmpty())) {
        listable.add(b.name());
      }
    }
    for (MailboxInfo b : sorted) {
      String n = b.name();
      if (!listable.contains(n)) {
        continue;
      }
      if (!matches(regexes, n)) {
        int cut = n.lastIndexOf(d);
        while (cut > 0) {
          String parent = n.substring(0, cut);
          if (!listable.contains(parent) && matches(regexes, parent)) {
            if (recursive && subscribedOnly) {
              // RFC 5258 3.5: a parent that matches, listed for the subscribed children below it
              childInfo.put(parent, "SUBSCRIBED");
              out.putIfAbsent(parent, attributes(parent, names, selectable, d));
            } else if (percent && !specialUseOnly && !(name.equals("LIST") && subscribedOnly)) {
              // RFC 3501 6.3.8/6.3.9: with %, a level above a listed name is shown too,
              // \Noselect when it is not itself listed (a missing or unsubscribed parent)
              out.putIfAbsent(
                  parent,
                  name.equals("LSUB")
                      ? List.of("\\Noselect")
                      : List.of("\\Noselect", "\\HasChildren"));
            }
          }
          cut = parent.lastIndexOf(d);
        }
        continue;
      }
      List<String> attrs = attributes(n, names, selectable, d);
      if (extended
          && !b.selectable()
          && b.subscribed()
          && names.stream().noneMatch(o -> o.startsWith(n + d))) {
        // subscribed, but not there: RFC 5258 \NonExistent (implies \Noselect; no children)
        attrs.clear();
        attrs.add("\\NonExistent");
      }
      b.specialUse().ifPresent(u -> attrs.add(u.attribute()));
      if (name.equals("LIST") && returnSubscribed && b.subscribed()) {
        attrs.add("\\Subscribed");
      }
      out.put(n, attrs);
    }
    for (java.util.Map.Entry<String, List<String>> e : out.entrySet()) {
      org.epost.imap.codec.ResponseBuilder rb = new org.epost.imap.codec.ResponseBuilder();
      rb.raw("* ")
          .raw(name)
          .raw(" (")
          .raw(String.join(" ", e.getValue()))
          .raw(") ")
          .raw(s.delimiterString())
          .raw(" ")
          .astring(s.encodeName(e.getKey()), s.utf8);
      String info = childInfo.get(e.getKey());
      if (info != null && extended) {
        rb.raw(" (\"CHILDINFO\" (\"").raw(info).raw("\"))");
      }
      s.out.write(rb.crlf());
      if (statusItems != null && selectable.contains(e.getKey())) {
        // RFC 5819: the STATUS of each selectable mailbox listed, right after its LIST
        try {
          s.out.write(statusLine(s, e.getKey(), statusItems));
        } catch (CommandFailed failed) {
          // a mailbox that vanished meanwhile simply has no STATUS (RFC 5819 section 2)
        }
      }
    }
    s.ok(tag, name + " completed");
  }

  private static boolean matches(List<Pattern> regexes, String name) {
    for (Pattern p : regexes) {
      if (p.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  /** \Noselect (if not selectable) and \HasChildren or \HasNoChildren. */
  private static List<String> attributes(
      String n, Set<String> names, Set<String> selectable, char d) {
    List<String> attrs = new ArrayList<>();
    if (!selectable.contains(n)) {
      attrs.add("\\Noselect");
    }
    boolean children = names.stream().anyMatch(o -> o.startsWith(n + d));
    attrs.add(children ? "\\HasChildren" : "\\HasNoChildren");
    return attrs;
  }

  static Pattern wildcard(String pattern, char delimiter) {
    StringBuilder sb = new StringBuilder();
    boolean inboxPrefix =
        pattern.regionMatches(true, 0, "INBOX", 0, 5)
            && (pattern.length() == 5 || pattern.charAt(5) == delimiter);
    String p = inboxPrefix ? "INBOX" + pattern.substring(5) : pattern;
    for (char c : p.toCharArray()) {
      if (c == '*') {
        sb.append(".*");
      } else if (c == '%') {
        sb.append("[^").append(Pattern.quote(String.valueOf(delimiter))).append("]*");
      } else {
        sb.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(sb.toString(), Pattern.DOTALL);
  }

  private static void status(ImapSession s, String tag, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    String mailbox = mailboxName(s, r.astring());
    r.space();
    List<String> items = r.atomList();
    r.end();
    for (String item : items) {
      if (!STATUS_ITEMS.contains(item.toUpperCase(Locale.ROOT))) {
        throw new ImapParseException("Unknown STATUS item " + item);
      }
    }
    s.out.write(statusLine(s, mailbox, items));
    s.ok(tag, "STATUS completed");
  }

  static final Set<String> STATUS_ITEMS =
      Set.of("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ");

  /** One {@code * STATUS} response (also for RFC 5819 LIST ... RETURN (STATUS ...)). */
  static org.epost.imap.codec.ResponseBuilder statusLine(
      ImapSession s, String mailbox, List<String> items) throws ImapParseException, CommandFailed {
    MailboxSnapshot snap = s.call(() -> s.user.snapshot(mailbox));
    List<String> parts = new ArrayList<>();
    for (String item : items) {
      switch (item.toUpperCase(Locale.ROOT)) {
        case "MESSAGES" -> parts.add("MESSAGES " + snap.messages().size());
        case "RECENT" -> {
          long mark = s.recent.peek(new RecentTracker.Key(s.userName, mailbox, snap.uidValidity()));
          parts.add("RECENT " + snap.messages().stream().filter(m -> m.uid() > mark).count());
        }
        case "UIDNEXT" -> parts.add("UIDNEXT " + snap.uidNext());
        case "UIDVALIDITY" -> parts.add("UIDVALIDITY " + snap.uidValidity());
        case "HIGHESTMODSEQ" -> {
          s.condstore = true;
          parts.add("HIGHESTMODSEQ " + snap.highestModSeq());
        }
        case "UNSEEN" ->
            parts.add(
                "UNSEEN "
                    + snap.messages().stream()
                        .filter(m -> !m.flags().contains(Flags.SEEN))
                        .count());
        default -> throw new ImapParseException("Unknown STATUS item " + item);
      }
    }
    org.epost.imap.codec.ResponseBuilder rb = new org.epost.imap.codec.ResponseBuilder();
    rb.raw("* STATUS ")
        .astring(s.encodeName(mailbox), s.utf8)
        .raw(" (")
        .raw(String.join(" ", parts))
        .raw(")")
        .crlf();
    return rb;
  }
}
