package org.epost.imap.server;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.epost.imap.codec.ImapParseException;

/** System flag names and flag list formatting. */
final class Flags {
  static final String SEEN = "\\Seen";
  static final String ANSWERED = "\\Answered";
  static final String FLAGGED = "\\Flagged";
  static final String DELETED = "\\Deleted";
  static final String DRAFT = "\\Draft";

  /** Session flag, never stored: see {@link SelectedMailbox#flagsOf}. */
  static final String RECENT = "\\Recent";

  static final List<String> SYSTEM = List.of(ANSWERED, FLAGGED, DELETED, SEEN, DRAFT);
  static final int MAX_FLAGS_PER_COMMAND = 100;

  private Flags() {}

  static String format(Set<String> flags) {
    if (flags.isEmpty()) {
      return "()";
    }
    if (flags.size() == 1) {
      return "(" + flags.iterator().next() + ")";
    }
    return "(" + String.join(" ", new TreeSet<>(flags)) + ")";
  }

  /**
   * Normalizes a client flag list: canonical case for system flags; rejects \Recent and unknown \
   * flags.
   */
  static Set<String> parse(List<String> raw) throws ImapParseException {
    if (raw.size() > MAX_FLAGS_PER_COMMAND) {
      throw new ImapParseException("Too many flags (limit " + MAX_FLAGS_PER_COMMAND + ")");
    }
    Set<String> out = new LinkedHashSet<>();
    for (String f : raw) {
      if (f.startsWith("\\")) {
        String canonical = null;
        for (String s : SYSTEM) {
          if (s.equalsIgnoreCase(f)) {
            canonical = s;
          }
        }
        if (canonical == null) {
          throw new ImapParseException("Unknown system flag " + f);
        }
        out.add(canonical);
      } else {
        if (f.isEmpty() || f.length() > 100) {
          throw new ImapParseException("Invalid keyword");
        }
        out.add(f);
      }
    }
    return out;
  }

  static boolean has(Set<String> flags, String flag) {
    if (flags.contains(flag)) {
      return true;
    }
    for (String f : flags) {
      if (f.equalsIgnoreCase(flag)) {
        return true;
      }
    }
    return false;
  }
}
