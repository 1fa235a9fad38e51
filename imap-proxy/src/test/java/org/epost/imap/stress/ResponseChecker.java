package org.epost.imap.stress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * TEST: reads and checks every response of one IMAP connection as a strict client would. Responses
 * are read byte-exactly (a line announcing {@code {n}} is followed by exactly n bytes), every
 * untagged response is parsed, and the client's view of the mailbox (message count and the UID of
 * each sequence number, as far as told) is kept. Any of these is a failure: a tag other than the
 * command's, BAD, an unexpected BYE, a response that does not parse (a desynchronised stream), an
 * EXPUNGE where RFC 3501 7.4.1 forbids it, EXISTS shrinking, a sequence number out of range, UIDs
 * out of order, or message bytes that differ from what was appended.
 */
final class ResponseChecker {
  private final InputStream in;
  private final String who;
  private final Map<Long, byte[]> appended;
  private final List<Long> uids = new ArrayList<>(); // 0 = not yet told
  private int responses;

  ResponseChecker(InputStream in, String who, Map<Long, byte[]> appended) {
    this.in = in;
    this.who = who;
    this.appended = appended;
  }

  int count() {
    return uids.size();
  }

  int responses() {
    return responses;
  }

  /** A known UID at a sequence number, or 0. */
  long uidAt(int msn) {
    return uids.get(msn - 1);
  }

  /** One whole response, literals included, as ISO-8859-1 text (one char per byte). */
  String read() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new AssertionError(who + ": connection closed mid-response: " + text(b));
      }
      b.write(c);
      if (c == '\n') {
        String s = text(b);
        if (!s.endsWith("\r\n")) {
          throw new AssertionError(who + ": bare LF in response: " + s);
        }
        int brace = s.lastIndexOf('{');
        if (s.endsWith("}\r\n") && brace >= 0) {
          String n = s.substring(brace + 1, s.length() - 3);
          if (!n.matches("\\d{1,9}")) {
            throw new AssertionError(who + ": malformed literal announcement: " + s);
          }
          byte[] data = in.readNBytes(Integer.parseInt(n));
          if (data.length < Integer.parseInt(n)) {
            throw new AssertionError(who + ": literal cut short: " + s);
          }
          b.write(data);
          continue;
        }
        responses++;
        return s.substring(0, s.length() - 2);
      }
    }
  }

  private static String text(ByteArrayOutputStream b) {
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Reads up to and including the tagged response of {@code tag}; checks everything on the way.
   *
   * @param expungeForbidden whether the command is one during which EXPUNGE may not be sent
   * @return the tagged response line
   */
  String until(String tag, String command, boolean expungeForbidden) throws IOException {
    while (true) {
      String r = read();
      if (r.startsWith("* ")) {
        untagged(r.substring(2), command, expungeForbidden);
        continue;
      }
      if (r.startsWith("+ ")) {
        throw new AssertionError(who + ": unexpected continuation during " + command + ": " + r);
      }
      if (!r.startsWith(tag + " ")) {
        throw new AssertionError(who + ": desynchronised: expected tag " + tag + " got: " + r);
      }
      String status = r.substring(tag.length() + 1);
      if (status.startsWith("OK")) {
        return r;
      }
      if (status.startsWith("NO [EXPUNGEISSUED]") && command.contains("FETCH")) {
        return r; // RFC 2180 4.1.2 / RFC 5530: allowed when another client expunged
      }
      throw new AssertionError(who + ": " + command + " answered " + r);
    }
  }

  void untagged(String r, String command, boolean expungeForbidden) {
    if (r.startsWith("BAD") || r.startsWith("BYE") || r.startsWith("NO")) {
      throw new AssertionError(who + ": untagged " + r + " during " + command);
    }
    if (r.startsWith("OK") || r.startsWith("FLAGS") || r.startsWith("SEARCH")) {
      if (r.startsWith("SEARCH")) {
        for (String n : r.substring(6).trim().split(" ")) {
          if (!n.isEmpty() && !n.matches("\\d+")) {
            throw new AssertionError(who + ": bad SEARCH response " + r);
          }
        }
      }
      return;
    }
    int sp = r.indexOf(' ');
    if (sp < 0 || !r.substring(0, sp).matches("\\d+")) {
      throw new AssertionError(who + ": unparseable untagged response " + r);
    }
    long n = Long.parseLong(r.substring(0, sp));
    String rest = r.substring(sp + 1);
    if (rest.equals("EXISTS")) {
      if (n < uids.size()) {
        throw new AssertionError(who + ": EXISTS shrank from " + uids.size() + " to " + n);
      }
      while (uids.size() < n) {
        uids.add(0L);
      }
    } else if (rest.equals("RECENT")) {
      if (n > uids.size()) {
        throw new AssertionError(who + ": RECENT " + n + " > EXISTS " + uids.size());
      }
    } else if (rest.equals("EXPUNGE")) {
      if (expungeForbidden) {
        throw new AssertionError(who + ": EXPUNGE during " + command + " (RFC 3501 7.4.1)");
      }
      if (n < 1 || n > uids.size()) {
        throw new AssertionError(who + ": EXPUNGE " + n + " with " + uids.size() + " messages");
      }
      uids.remove((int) n - 1);
    } else if (rest.startsWith("FETCH (") && rest.endsWith(")")) {
      if (n < 1 || n > uids.size()) {
        throw new AssertionError(who + ": FETCH for " + n + " with " + uids.size() + " messages");
      }
      fetch((int) n, rest.substring(7, rest.length() - 1));
    } else {
      throw new AssertionError(who + ": unknown untagged response " + r);
    }
  }

  private void fetch(int msn, String items) {
    Parser p = new Parser(items, who);
    long uid = 0;
    long size = -1;
    String body = null;
    while (!p.atEnd()) {
      String key = p.key();
      p.expect(' ');
      Object value = p.value();
      switch (key) {
        case "UID" -> uid = Long.parseLong((String) value);
        case "RFC822.SIZE" -> size = Long.parseLong((String) value);
        case "BODY[]" -> body = (String) value;
        default -> {
          // FLAGS, BODYSTRUCTURE, ENVELOPE, other sections: parsed, not checked further
        }
      }
      if (!p.atEnd()) {
        p.expect(' ');
      }
    }
    if (uid != 0) {
      long known = uids.get(msn - 1);
      if (known != 0 && known != uid) {
        throw new AssertionError(who + ": message " + msn + " was UID " + known + ", now " + uid);
      }
      uids.set(msn - 1, uid);
      for (int i = msn - 2; i >= 0; i--) {
        if (uids.get(i) != 0) {
          if (uids.get(i) >= uid) {
            throw new AssertionError(who + ": UIDs out of order at " + msn + ": " + uids);
          }
          break;
        }
      }
      for (int i = msn; i < uids.size(); i++) {
        if (uids.get(i) != 0) {
          if (uids.get(i) <= uid) {
            throw new AssertionError(who + ": UIDs out of order at " + msn + ": " + uids);
          }
          break;
        }
      }
    }
    if (body != null) {
      if (size >= 0 && body.length() != size) {
        throw new AssertionError(who + ": BODY[] of " + body.length() + " bytes, size " + size);
      }
      byte[] expected = uid == 0 ? null : appended.get(uid);
      if (expected != null && !body.equals(new String(expected, StandardCharsets.ISO_8859_1))) {
        throw new AssertionError(who + ": UID " + uid + " has other bytes than were appended");
      }
    }
  }

  /** A minimal parser of FETCH data items: atoms, numbers, NIL, strings, literals, lists. */
  private static final class Parser {
    private final String s;
    private final String who;
    private int i;

    Parser(String s, String who) {
      this.s = s;
      this.who = who;
    }

    boolean atEnd() {
      return i >= s.length();
    }

    void expect(char c) {
      if (i >= s.length() || s.charAt(i) != c) {
        fail("expected '" + c + "'");
      }
      i++;
    }

    String key() {
      int start = i;
      while (i < s.length() && s.charAt(i) != ' ') {
        if (s.charAt(i) == '[') {
          int depth = 0;
          while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '[') {
              depth++;
            } else if (c == ']' && --depth == 0) {
              break;
            }
          }
          continue;
        }
        i++;
      }
      if (i == start) {
        fail("empty item name");
      }
      return s.substring(start, i);
    }

    Object value() {
      if (atEnd()) {
        fail("missing value");
      }
      char c = s.charAt(i);
      if (c == '(') {
        i++;
        List<Object> list = new ArrayList<>();
        while (true) {
          if (atEnd()) {
            fail("unclosed list");
          }
          if (s.charAt(i) == ')') {
            i++;
            return list;
          }
          // body-type-mpart: the parts of a multipart BODYSTRUCTURE follow each other unspaced
          if (!list.isEmpty()
              && !(list.get(list.size() - 1) instanceof List && s.charAt(i) == '(')) {
            expect(' ');
          }
          list.add(value());
        }
      }
      if (c == '"') {
        i++;
        StringBuilder sb = new StringBuilder();
        while (true) {
          if (atEnd()) {
            fail("unclosed string");
          }
          char d = s.charAt(i++);
          if (d == '"') {
            return sb.toString();
          }
          if (d == '\\') {
            d = s.charAt(i++);
          }
          sb.append(d);
        }
      }
      if (c == '{') {
        int close = s.indexOf("}\r\n", i);
        if (close < 0) {
          fail("bad literal");
        }
        int n = Integer.parseInt(s.substring(i + 1, close));
        int start = close + 3;
        if (start + n > s.length()) {
          fail("literal runs past the response");
        }
        i = start + n;
        return s.substring(start, start + n);
      }
      int start = i;
      while (i < s.length() && " ()".indexOf(s.charAt(i)) < 0) {
        i++;
      }
      if (i == start) {
        fail("empty atom");
      }
      return s.substring(start, i);
    }

    private void fail(String why) {
      throw new AssertionError(who + ": unparseable FETCH data (" + why + " at " + i + "): " + s);
    }
  }
}
