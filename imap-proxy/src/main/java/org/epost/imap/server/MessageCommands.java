package org.epost.imap.server;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.epost.imap.api.AppendResult;
import org.epost.imap.api.CopyResult;
import org.epost.imap.api.FlagUpdate;
import org.epost.imap.api.MessageRecord;
import org.epost.imap.api.NewMessage;
import org.epost.imap.api.StoreResult;
import org.epost.imap.codec.CommandReader;
import org.epost.imap.codec.ImapParseException;
import org.epost.imap.codec.Literal;

/** EXPUNGE, STORE, COPY, MOVE (with their UID forms) and APPEND. */
final class MessageCommands {
  static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("d-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH);
  static final DateTimeFormatter DATE_TIME_OUT =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ENGLISH);

  private MessageCommands() {}

  static void run(ImapSession s, String tag, String name, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    switch (name) {
      case "EXPUNGE" -> expunge(s, tag, uid, r);
      case "STORE" -> store(s, tag, uid, r);
      case "COPY", "MOVE" -> copyOrMove(s, tag, name, uid, r);
      default -> throw new IllegalStateException(name);
    }
  }

  /** Resolves a sequence set to existing, not-expunged UIDs. */
  static List<Long> uids(ImapSession s, SequenceSet set, boolean uid) throws CommandFailed {
    if (!uid && s.selected.outOfRange(set)) {
      throw CommandFailed.bad(
          "Message sequence number out of range (mailbox has " + s.selected.count() + " messages)");
    }
    List<Long> out = new ArrayList<>();
    for (int msn : s.selected.resolve(set, uid)) {
      long u = s.selected.byMsn(msn).uid();
      if (!s.selected.isExpungedPending(u)) {
        out.add(u);
      }
    }
    return out;
  }

  private static void requireWritable(ImapSession s) throws CommandFailed {
    if (s.selected.readOnly) {
      throw CommandFailed.no("READ-ONLY", "Mailbox is opened read-only (EXAMINE)");
    }
  }

  private static void expunge(ImapSession s, String tag, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    List<Long> only = null;
    if (uid) {
      r.space();
      only = uids(s, SequenceSet.parse(r.atom("(){\"\\")), true);
    }
    r.end();
    requireWritable(s);
    List<Long> restrict = only;
    s.run(() -> s.user.expunge(s.selected.name, restrict));
    s.selected.markDirty();
    s.syncIfSelected(true);
    // RFC 7162 3.2.10 (and Dovecot): with CONDSTORE the tagged OK carries the new HIGHESTMODSEQ
    String code = s.condstore ? "[HIGHESTMODSEQ " + s.selected.highestModSeq + "] " : "";
    s.out.tagged(tag, "OK " + code + "EXPUNGE completed");
  }

  private static void store(ImapSession s, String tag, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    SequenceSet set = SequenceSet.parse(r.atom("(){\"\\"));
    r.space();
    long unchangedSince = Long.MAX_VALUE;
    if (r.tryConsume('(')) {
      // RFC 7162 3.1.3: STORE modifiers
      while (!r.tryConsume(')')) {
        r.tryConsume(' ');
        String mod = r.upperAtom();
        if (!mod.equals("UNCHANGEDSINCE")) {
          throw new ImapParseException("Unknown STORE modifier " + mod);
        }
        r.space();
        unchangedSince = FetchRequest.modSeq(r);
      }
      r.space();
      s.condstore = true;
    }
    String item = r.upperAtom();
    r.space();
    Set<String> flags = Flags.parse(r.atomList());
    r.end();
    boolean silent = item.endsWith(".SILENT");
    String base = silent ? item.substring(0, item.length() - 7) : item;
    FlagUpdate update =
        switch (base) {
          case "FLAGS" -> FlagUpdate.REPLACE;
          case "+FLAGS" -> FlagUpdate.ADD;
          case "-FLAGS" -> FlagUpdate.REMOVE;
          default -> throw new ImapParseException("Unknown STORE item " + item);
        };
    List<Long> targets = uids(s, set, uid);
    requireWritable(s);
    List<Long> modified = List.of();
    if (!targets.isEmpty()) {
      long since = unchangedSince;
      StoreResult result =
          s.call(() -> s.user.storeFlags(s.selected.name, targets, update, flags, since));
      modified = result.modified();
      for (long u : targets) {
        MessageRecord now = result.records().get(u);
        int msn = s.selected.msnOf(u);
        if (now == null || msn < 0) {
          continue;
        }
        MessageRecord before = s.selected.byMsn(msn);
        s.selected.stored(msn, now);
        boolean changed = now.modSeq() != before.modSeq() || !now.flags().equals(before.flags());
        if (silent && !(s.condstore && changed)) {
          continue;
        }
        StringBuilder line = new StringBuilder().append(msn).append(" FETCH (");
        if (uid) {
          line.append("UID ").append(u).append(' ');
        }
        if (!silent) {
          s.selected.announceKeywords(now.flags(), s.out);
          line.append("FLAGS ").append(s.selected.flagsOf(u, now.flags())).append(' ');
        }
        if (s.condstore) {
          line.append("MODSEQ (").append(now.modSeq()).append(") ");
        }
        line.setLength(line.length() - 1);
        s.out.untagged(line.append(')').toString());
      }
    }
    // this session's own flag changes move its kept searches too (RFC 5267)
    s.live.changed(targets);
    String code = "";
    if (!modified.isEmpty()) {
      List<Long> ids = new ArrayList<>();
      for (long u : modified) {
        ids.add(uid ? u : (long) s.selected.msnOf(u));
      }
      ids.sort(null);
      code = "[MODIFIED " + uidSet(ids) + "] ";
    }
    String done = code.isEmpty() ? "STORE completed" : "Conditional STORE failed";
    if (uid) {
      s.ok(tag, code + (code.isEmpty() ? "UID " : "") + done);
    } else {
      s.okNoExpunge(tag, code + done);
    }
  }

  private static void copyOrMove(
      ImapSession s, String tag, String name, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    SequenceSet set = SequenceSet.parse(r.atom("(){\"\\"));
    r.space();
    String target = MailboxCommands.mailboxName(s, r.astring());
    r.end();
    List<Long> sources = uids(s, set, uid);
    if (name.equals("MOVE")) {
      requireWritable(s);
    }
    if (sources.isEmpty()) {
      s.ok(tag, name + " completed (no messages)");
      return;
    }
    CopyResult result =
        s.call(
            () ->
                name.equals("MOVE")
                    ? s.user.move(s.selected.name, sources, target)
                    : s.user.copy(s.selected.name, sources, target));
    String code =
        result.sourceUids().isEmpty()
            ? ""
            : "[COPYUID "
                + result.targetUidValidity()
                + " "
                + uidSet(result.sourceUids())
                + " "
                + uidSet(result.targetUids())
                + "] ";
    if (name.equals("MOVE")) {
      if (!code.isEmpty()) {
        s.out.untagged("OK " + code + "Moved");
      }
      s.selected.markDirty();
      s.ok(tag, "MOVE completed");
    } else {
      s.ok(tag, code + "COPY completed");
    }
  }

  /** Compact UID set for COPYUID: runs of consecutive UIDs become ranges. */
  static String uidSet(List<Long> uids) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < uids.size()) {
      int j = i;
      while (j + 1 < uids.size() && uids.get(j + 1) == uids.get(j) + 1) {
        j++;
      }
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(uids.get(i));
      if (j > i) {
        sb.append(':').append(uids.get(j));
      }
      i = j + 1;
    }
    return sb.toString();
  }

  /**
   * APPEND, with RFC 3502 MULTIAPPEND: one or more messages, each with optional flags and date,
   * stored all or none.
   */
  static void append(ImapSession s, String tag, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    String mailbox = MailboxCommands.mailboxName(s, r.astring());
    List<Literal> literals = new ArrayList<>();
    List<List<Catenate.Part>> catenations = new ArrayList<>();
    List<Set<String>> flagLists = new ArrayList<>();
    List<Instant> dates = new ArrayList<>();
    do {
      r.space();
      Set<String> flags = Set.of();
      if (r.peek() == '(') {
        flags = Flags.parse(r.atomList());
        r.space();
      }
      Instant date = null;
      if (r.peek() == '"') {
        String text = r.string();
        try {
          date = ZonedDateTime.parse(text.trim(), DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
          throw new ImapParseException("Invalid date-time \"" + text + "\"");
        }
        r.space();
      }
      if (r.peek() == 'C' || r.peek() == 'c') {
        // RFC 4469 CATENATE: put together after parsing, from TEXT literals and URLs
        if (!r.upperAtom().equals("CATENATE")) {
          throw new ImapParseException("Expected a literal or CATENATE");
        }
        catenations.add(Catenate.parse(r));
        literals.add(null);
      } else if (r.peek() == 'U' || r.peek() == 'u') {
        // RFC 6855 3: APPEND ... UTF8 (literal8), a message with UTF-8 headers (RFC 6532)
        if (!r.upperAtom().equals("UTF8") || !s.utf8) {
          throw new ImapParseException("APPEND UTF8 (...) needs ENABLE UTF8=ACCEPT");
        }
        r.space();
        r.expect('(');
        literals.add(r.literal());
        r.expect(')');
      } else {
        literals.add(r.literal());
      }
      flagLists.add(flags);
      dates.add(date);
    } while (!r.atEnd());
    r.end();
    List<Literal> built = new ArrayList<>();
    List<InputStream> streams = new ArrayList<>();
    AppendResult result;
    try {
      int next = 0;
      for (int i = 0; i < literals.size(); i++) {
        if (literals.get(i) == null) {
          Literal l = Catenate.build(s, catenations.get(next++));
          built.add(l);
          literals.set(i, l);
        }
      }
      for (Literal l : literals) {
        if (l.size() == 0) {
          // RFC 3502 section 6: an empty literal cancels the whole command
          throw CommandFailed.no(null, "An empty message cancels the APPEND: nothing was appended");
        }
      }
      List<NewMessage> messages = new ArrayList<>();
      for (int i = 0; i < literals.size(); i++) {
        InputStream in = literals.get(i).openStream();
        streams.add(in);
        messages.add(new NewMessage(flagLists.get(i), dates.get(i), in, literals.get(i).size()));
      }
      result = s.call(() -> s.user.append(mailbox, messages));
    } catch (IOException e) {
      throw CommandFailed.no("SERVERBUG", "Cannot read the spooled message: " + e.getMessage());
    } finally {
      for (InputStream in : streams) {
        try {
          in.close();
        } catch (IOException e) {
          // a spooled literal that cannot be closed is removed with the frame
        }
      }
      for (Literal l : built) {
        l.close();
      }
    }
    s.ok(
        tag,
        "[APPENDUID " + result.uidValidity() + " " + uidSet(result.uids()) + "] APPEND completed");
  }

  static String formatDate(MessageRecord m) {
    return DATE_TIME_OUT.format(m.internalDate().atZone(java.time.ZoneOffset.UTC));
  }
}
