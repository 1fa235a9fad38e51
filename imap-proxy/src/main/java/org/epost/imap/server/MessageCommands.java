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
import java.util.Map;
import java.util.Set;
import org.epost.imap.api.AppendResult;
import org.epost.imap.api.CopyResult;
import org.epost.imap.api.FlagUpdate;
import org.epost.imap.api.MessageRecord;
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
    s.await(s.user.expunge(s.selected.name, only));
    s.selected.markDirty();
    s.ok(tag, "EXPUNGE completed");
  }

  private static void store(ImapSession s, String tag, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    SequenceSet set = SequenceSet.parse(r.atom("(){\"\\"));
    r.space();
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
    if (!targets.isEmpty()) {
      Map<Long, Set<String>> result =
          s.await(s.user.storeFlags(s.selected.name, targets, update, flags));
      for (Map.Entry<Long, Set<String>> e : result.entrySet()) {
        int msn = s.selected.msnOf(e.getKey());
        if (msn < 0) {
          continue;
        }
        s.selected.updateFlags(msn, e.getValue());
        if (!silent) {
          s.selected.announceKeywords(e.getValue(), s.out);
          s.out.untagged(
              msn
                  + " FETCH ("
                  + (uid ? "UID " + e.getKey() + " " : "")
                  + "FLAGS "
                  + s.selected.flagsOf(e.getKey(), e.getValue())
                  + ")");
        }
      }
    }
    if (uid) {
      s.ok(tag, "UID STORE completed");
    } else {
      s.okNoExpunge(tag, "STORE completed");
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
        s.await(
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

  static void append(ImapSession s, String tag, CommandReader r)
      throws ImapParseException, CommandFailed {
    r.space();
    String mailbox = MailboxCommands.mailboxName(s, r.astring());
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
    Literal message = r.literal();
    r.end();
    AppendResult result;
    try (InputStream in = message.openStream()) {
      result = s.await(s.user.append(mailbox, flags, date, in, message.size()));
    } catch (IOException e) {
      throw CommandFailed.no("SERVERBUG", "Cannot read the spooled message: " + e.getMessage());
    }
    s.ok(tag, "[APPENDUID " + result.uidValidity() + " " + result.uid() + "] APPEND completed");
  }

  static String formatDate(MessageRecord m) {
    return DATE_TIME_OUT.format(m.internalDate().atZone(java.time.ZoneOffset.UTC));
  }
}
