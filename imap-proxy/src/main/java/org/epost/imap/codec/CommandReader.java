package org.epost.imap.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads IMAP syntax elements (atoms, strings, literals, lists) from a {@link CommandFrame}. Throws
 * {@link ImapParseException} on anything that does not follow RFC 3501's grammar. Not thread-safe;
 * one reader per command.
 */
public final class CommandReader {
  private final List<Object> parts;
  private final int maxNesting;
  private int part;
  private int pos;

  public CommandReader(CommandFrame frame, int maxNesting) {
    this.parts = frame.parts();
    this.maxNesting = maxNesting;
  }

  private String text() {
    return part < parts.size() && parts.get(part) instanceof String s ? s : null;
  }

  /** True when nothing but (possibly) the end of the command remains. */
  public boolean atEnd() {
    String t = text();
    return t != null && pos >= t.length() && part == parts.size() - 1;
  }

  /** The next character, or -1 at the end of a text segment (before a literal or the end). */
  public int peek() {
    String t = text();
    return t != null && pos < t.length() ? t.charAt(pos) : -1;
  }

  public boolean atLiteral() {
    String t = text();
    return t != null
        && pos >= t.length()
        && part + 1 < parts.size()
        && parts.get(part + 1) instanceof Literal;
  }

  public void expect(char c) throws ImapParseException {
    if (peek() != c) {
      throw new ImapParseException("Expected '" + c + "'" + near());
    }
    pos++;
  }

  public boolean tryConsume(char c) {
    if (peek() == c) {
      pos++;
      return true;
    }
    return false;
  }

  public void space() throws ImapParseException {
    expect(' ');
  }

  public void end() throws ImapParseException {
    if (!atEnd()) {
      throw new ImapParseException("Unexpected characters at the end of the command" + near());
    }
  }

  private String near() {
    String t = text();
    if (t == null || pos >= t.length()) {
      return " at the end of the line";
    }
    return " near \"" + t.substring(pos, Math.min(t.length(), pos + 20)) + "\"";
  }

  /** Reads characters up to a space, end of segment, or one of {@code stops}; never empty. */
  public String atom(String stops) throws ImapParseException {
    String t = text();
    int start = pos;
    while (t != null && pos < t.length()) {
      char c = t.charAt(pos);
      if (c == ' ' || c < 0x20 || c == 0x7f || stops.indexOf(c) >= 0) {
        break;
      }
      pos++;
    }
    if (pos == start) {
      throw new ImapParseException("Expected an atom" + near());
    }
    return t.substring(start, pos);
  }

  /** A plain IMAP atom (no list, quote or literal characters). */
  public String atom() throws ImapParseException {
    return atom("(){%*\"\\]");
  }

  public String upperAtom() throws ImapParseException {
    return atom().toUpperCase(Locale.ROOT);
  }

  /** An astring: atom (which may contain ']'), quoted string, or literal. */
  public String astring() throws ImapParseException {
    int c = peek();
    if (c == '"' || atLiteral()) {
      return string();
    }
    return atom("(){%*\"\\");
  }

  /** A quoted string or an in-memory literal. */
  public String string() throws ImapParseException {
    if (atLiteral()) {
      Literal lit = literal();
      if (!lit.isInMemory()) {
        throw new ImapParseException("String literal too large");
      }
      return lit.asString();
    }
    expect('"');
    String t = text();
    StringBuilder sb = new StringBuilder();
    while (pos < t.length()) {
      char c = t.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        if (pos >= t.length()) {
          break;
        }
        c = t.charAt(pos++);
        if (c != '"' && c != '\\') {
          throw new ImapParseException("Only \\\" and \\\\ may be escaped in a quoted string");
        }
      }
      sb.append(c);
    }
    throw new ImapParseException("Unterminated quoted string");
  }

  /** Reads a literal that starts here. */
  public Literal literal() throws ImapParseException {
    if (!atLiteral()) {
      throw new ImapParseException("Expected a literal" + near());
    }
    Literal lit = (Literal) parts.get(part + 1);
    part += 2;
    pos = 0;
    return lit;
  }

  /** A list-mailbox: like astring but also allowing the wildcards % and *. */
  public String listMailbox() throws ImapParseException {
    int c = peek();
    if (c == '"' || atLiteral()) {
      return string();
    }
    return atom("(){\"\\");
  }

  public long number() throws ImapParseException {
    String a = atom();
    try {
      long n = Long.parseLong(a);
      if (n < 0 || n > 0xFFFFFFFFL || !a.chars().allMatch(Character::isDigit)) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ImapParseException("Expected a number, got \"" + a + "\"");
    }
  }

  /** A parenthesized list of atoms such as a flag list; also accepts a single atom. */
  public List<String> atomList() throws ImapParseException {
    List<String> out = new ArrayList<>();
    if (tryConsume('(')) {
      while (!tryConsume(')')) {
        if (!out.isEmpty()) {
          space();
        }
        out.add(atom("(){%*\"]"));
      }
    } else {
      out.add(atom("(){%*\"]"));
    }
    return out;
  }

  public int maxNesting() {
    return maxNesting;
  }

  /** Remaining raw text of the current segment (for diagnostics). */
  public String rest() {
    String t = text();
    return t == null ? "" : t.substring(Math.min(pos, t.length()));
  }
}
