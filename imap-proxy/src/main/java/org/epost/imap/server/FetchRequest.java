package org.epost.imap.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.epost.imap.codec.CommandReader;
import org.epost.imap.codec.ImapParseException;

/** A parsed FETCH: the sequence set and the data items asked for, in order. */
record FetchRequest(SequenceSet set, List<Item> items, long changedSince, boolean vanished) {
  private static final int MAX_ITEMS = 100;

  /**
   * One data item. {@code name} is a plain item like FLAGS, or BODY/BODY.PEEK/RFC822... with a
   * section.
   */
  record Item(String name, Section section, boolean peek, long partialStart, long partialLength) {
    boolean isBodySection() {
      return section != null;
    }

    boolean isBinary() {
      return name.startsWith("BINARY");
    }

    boolean needsStructure() {
      if (section != null) {
        return !(section.path().length == 0 && section.spec().isEmpty());
      }
      return name.equals("ENVELOPE") || name.equals("BODY") || name.equals("BODYSTRUCTURE");
    }

    boolean setsSeen() {
      return section != null
          && !peek
          && !name.equals("RFC822.HEADER")
          && !name.equals("BINARY.SIZE");
    }

    /** The item name as echoed in the response. */
    String responseName() {
      if (name.startsWith("RFC822")) {
        return name;
      }
      if (isBinary()) {
        return name
            + "["
            + section.text()
            + "]"
            + (partialStart >= 0 ? "<" + partialStart + ">" : "");
      }
      return "BODY[" + section.text() + "]" + (partialStart >= 0 ? "<" + partialStart + ">" : "");
    }
  }

  /**
   * A section specification: part path, text spec (HEADER, HEADER.FIELDS[.NOT], TEXT, MIME or "")
   * and fields.
   */
  record Section(int[] path, String spec, List<String> fields) {
    String text() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < path.length; i++) {
        sb.append(i > 0 ? "." : "").append(path[i]);
      }
      if (!spec.isEmpty()) {
        sb.append(path.length > 0 ? "." : "").append(spec);
      }
      if (spec.startsWith("HEADER.FIELDS")) {
        sb.append(" (").append(String.join(" ", fields)).append(')');
      }
      return sb.toString();
    }
  }

  static FetchRequest parse(CommandReader r) throws ImapParseException {
    r.space();
    SequenceSet set = SequenceSet.parse(r.atom("(){\"\\"));
    r.space();
    List<Item> items = new ArrayList<>();
    if (r.tryConsume('(')) {
      while (!r.tryConsume(')')) {
        if (!items.isEmpty()) {
          r.space();
        }
        items.add(item(r));
        if (items.size() > MAX_ITEMS) {
          throw new ImapParseException("Too many FETCH items");
        }
      }
    } else {
      String macro = r.atom("()[<").toUpperCase(Locale.ROOT);
      switch (macro) {
        case "ALL" -> items.addAll(plain("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"));
        case "FAST" -> items.addAll(plain("FLAGS", "INTERNALDATE", "RFC822.SIZE"));
        case "FULL" ->
            items.addAll(plain("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"));
        default -> items.add(item(macro, r));
      }
    }
    long changedSince = -1;
    boolean vanished = false;
    if (r.tryConsume(' ')) {
      // RFC 7162 3.1.4, 3.2.6: fetch modifiers
      r.expect('(');
      while (!r.tryConsume(')')) {
        r.tryConsume(' ');
        String mod = r.upperAtom();
        switch (mod) {
          case "CHANGEDSINCE" -> {
            r.space();
            changedSince = modSeq(r);
          }
          case "VANISHED" -> vanished = true;
          default -> throw new ImapParseException("Unknown FETCH modifier " + mod);
        }
      }
      if (vanished && changedSince < 0) {
        throw new ImapParseException("VANISHED needs CHANGEDSINCE (RFC 7162 3.2.6)");
      }
      if (changedSince >= 0 && items.stream().noneMatch(i -> i.name().equals("MODSEQ"))) {
        items.add(new Item("MODSEQ", null, false, -1, -1));
      }
    }
    r.end();
    return new FetchRequest(set, items, changedSince, vanished);
  }

  /** A mod-sequence value (RFC 7162: 1 to 2^63-1; 0 where a mod-seq-valzer is allowed). */
  static long modSeq(CommandReader r) throws ImapParseException {
    String a = r.atom();
    try {
      long n = Long.parseLong(a);
      if (n < 0 || !a.chars().allMatch(Character::isDigit)) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ImapParseException("Expected a mod-sequence, got \"" + a + "\"");
    }
  }

  private static List<Item> plain(String... names) {
    List<Item> out = new ArrayList<>();
    for (String n : names) {
      out.add(new Item(n, null, false, -1, -1));
    }
    return out;
  }

  private static Item item(CommandReader r) throws ImapParseException {
    return item(r.atom("()[<").toUpperCase(Locale.ROOT), r);
  }

  private static Item item(String name, CommandReader r) throws ImapParseException {
    switch (name) {
      case "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "UID", "BODYSTRUCTURE", "MODSEQ" -> {
        return new Item(name, null, false, -1, -1);
      }
      case "RFC822" -> {
        return new Item(name, new Section(new int[0], "", List.of()), false, -1, -1);
      }
      case "RFC822.HEADER" -> {
        return new Item(name, new Section(new int[0], "HEADER", List.of()), true, -1, -1);
      }
      case "RFC822.TEXT" -> {
        return new Item(name, new Section(new int[0], "TEXT", List.of()), false, -1, -1);
      }
      case "BINARY", "BINARY.PEEK", "BINARY.SIZE" -> {
        // RFC 3516: a section of part numbers only
        r.expect('[');
        List<Integer> path = new ArrayList<>();
        if (r.peek() != ']') {
          for (String n : r.atom("()[]").split("\\.", -1)) {
            try {
              int v = Integer.parseInt(n);
              if (v < 1 || !n.chars().allMatch(Character::isDigit) || path.size() >= 40) {
                throw new NumberFormatException();
              }
              path.add(v);
            } catch (NumberFormatException e) {
              throw new ImapParseException("A BINARY section is part numbers only");
            }
          }
        }
        r.expect(']');
        long[] partial = name.equals("BINARY.SIZE") ? new long[] {-1, -1} : partial(r);
        Section section =
            new Section(path.stream().mapToInt(Integer::intValue).toArray(), "", List.of());
        String n = name.equals("BINARY.PEEK") ? "BINARY" : name;
        return new Item(n, section, !name.equals("BINARY"), partial[0], partial[1]);
      }
      case "BODY", "BODY.PEEK" -> {
        if (r.peek() != '[') {
          if (name.equals("BODY.PEEK")) {
            throw new ImapParseException("BODY.PEEK needs a section");
          }
          return new Item("BODY", null, false, -1, -1);
        }
        r.expect('[');
        Section section = section(r);
        r.expect(']');
        long[] partial = partial(r);
        return new Item("BODY", section, name.equals("BODY.PEEK"), partial[0], partial[1]);
      }
      default -> throw new ImapParseException("Unknown FETCH item " + name);
    }
  }

  /** An optional {@code <start.length>}: {start, length}, or {-1, -1}. */
  private static long[] partial(CommandReader r) throws ImapParseException {
    long start = -1;
    long length = -1;
    if (r.tryConsume('<')) {
      String range = r.atom("()[>");
      r.expect('>');
      int dot = range.indexOf('.');
      try {
        start = Long.parseLong(dot < 0 ? range : range.substring(0, dot));
        length = dot < 0 ? Long.MAX_VALUE : Long.parseLong(range.substring(dot + 1));
      } catch (NumberFormatException e) {
        throw new ImapParseException("Invalid partial range <" + range + ">");
      }
      if (start < 0 || length < 0) {
        throw new ImapParseException("Invalid partial range <" + range + ">");
      }
    }
    return new long[] {start, length};
  }

  private static Section section(CommandReader r) throws ImapParseException {
    if (r.peek() == ']') {
      return new Section(new int[0], "", List.of());
    }
    String text = r.atom("()[]").toUpperCase(Locale.ROOT);
    String[] pieces = text.split("\\.");
    List<Integer> path = new ArrayList<>();
    int i = 0;
    while (i < pieces.length
        && !pieces[i].isEmpty()
        && pieces[i].chars().allMatch(Character::isDigit)) {
      int n;
      try {
        n = Integer.parseInt(pieces[i]);
      } catch (NumberFormatException e) {
        throw new ImapParseException("Section part number too large");
      }
      if (n < 1 || path.size() >= 40) {
        throw new ImapParseException("Invalid section part number in " + text);
      }
      path.add(n);
      i++;
    }
    String spec = String.join(".", java.util.Arrays.copyOfRange(pieces, i, pieces.length));
    List<String> fields = List.of();
    switch (spec) {
      case "", "HEADER", "TEXT" -> {}
      case "MIME" -> {
        if (path.isEmpty()) {
          throw new ImapParseException("MIME needs a part number");
        }
      }
      case "HEADER.FIELDS", "HEADER.FIELDS.NOT" -> {
        r.space();
        fields = new ArrayList<>();
        r.expect('(');
        while (!r.tryConsume(')')) {
          if (!fields.isEmpty()) {
            r.space();
          }
          fields.add(r.astring().toUpperCase(Locale.ROOT));
          if (fields.size() > 200) {
            throw new ImapParseException("Too many header field names");
          }
        }
      }
      default -> throw new ImapParseException("Unknown section text " + spec);
    }
    return new Section(path.stream().mapToInt(Integer::intValue).toArray(), spec, fields);
  }
}
