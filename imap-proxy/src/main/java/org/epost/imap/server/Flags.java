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

  /** Writes a flag list, sorted, with {@code \\Recent} added if asked, without a temporary set. */
  static void write(org.epost.imap.codec.ResponseBuilder b, Set<String> flags, boolean recent) {
    int n = flags.size() + (recent ? 1 : 0);
    if (n == 0) {
      b.raw("()");
      return;
    }
    if (n == 1) {
      b.raw('(').raw(recent ? RECENT : flags.iterator().next()).raw(')');
      return;
    }
    String[] all = flags.toArray(new String[n]);
    if (recent) {
      all[n - 1] = RECENT;
    }
    java.util.Arrays.sort(all);
    b.raw('(');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.raw(' ');
      }
      b.raw(all[i]);
    }
    b.raw(')');
  }

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
