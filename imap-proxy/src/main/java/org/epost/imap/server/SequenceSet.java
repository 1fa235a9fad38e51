package org.epost.imap.server;

import java.util.ArrayList;
import java.util.List;
import org.epost.imap.codec.ImapParseException;

/**
 * An IMAP sequence set such as {@code 1:4,7,9:*}; {@code *} is stored as {@link Long#MAX_VALUE}.
 */
record SequenceSet(List<long[]> ranges) {
  static final long STAR = Long.MAX_VALUE;
  private static final int MAX_RANGES = 10_000;

  static SequenceSet parse(String text) throws ImapParseException {
    List<long[]> ranges = new ArrayList<>();
    for (String item : text.split(",", -1)) {
      if (ranges.size() >= MAX_RANGES) {
        throw new ImapParseException("Sequence set has more than " + MAX_RANGES + " ranges");
      }
      int colon = item.indexOf(':');
      long a = number(colon < 0 ? item : item.substring(0, colon));
      long b = colon < 0 ? a : number(item.substring(colon + 1));
      ranges.add(new long[] {Math.min(a, b), Math.max(a, b)});
    }
    return new SequenceSet(List.copyOf(ranges));
  }

  private static long number(String s) throws ImapParseException {
    if (s.equals("*")) {
      return STAR;
    }
    try {
      long n = Long.parseLong(s);
      if (n <= 0 || n > 0xFFFFFFFFL || !s.chars().allMatch(Character::isDigit)) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ImapParseException("Invalid sequence set element \"" + s + "\"");
    }
  }

  /** Whether {@code n} is in the set, with {@code *} meaning {@code max}. */
  boolean contains(long n, long max) {
    for (long[] r : ranges) {
      long lo = r[0] == STAR ? max : r[0];
      long hi = r[1] == STAR ? max : r[1];
      if (lo > hi) {
        long t = lo;
        lo = hi;
        hi = t;
      }
      if (n >= lo && n <= hi) {
        return true;
      }
    }
    return false;
  }
}
