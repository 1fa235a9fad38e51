package org.epost.imap.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.epost.imap.api.MailboxChanges;
import org.epost.imap.codec.CommandReader;
import org.epost.imap.codec.ImapParseException;
import org.epost.imap.codec.Literal;
import org.epost.imap.mime.MimePart;

/**
 * RFC 4469 CATENATE: an APPEND whose message is put together from literal TEXT and IMAP URLs (RFC
 * 5092) naming messages or parts the user already has, read from the store by byte range. The
 * result is spooled (in memory up to {@link #IN_MEMORY}, then in a file) and bounded by the literal
 * limit ({@code [TOOBIG]}); a URL that does not name a readable message or part fails the command
 * with {@code [BADURL "url"]} and nothing is appended.
 */
final class Catenate {
  static final int IN_MEMORY = 256 * 1024;
  static final int MAX_PARTS = 64;

  private Catenate() {}

  /** One catenate part: a URL or a literal. */
  record Part(String url, Literal text) {}

  /** Parses {@code (URL "..." TEXT {n} ...)} after the CATENATE keyword. */
  static List<Part> parse(CommandReader r) throws ImapParseException {
    r.space();
    r.expect('(');
    List<Part> parts = new ArrayList<>();
    while (!r.tryConsume(')')) {
      r.tryConsume(' ');
      String kind = r.upperAtom();
      r.space();
      switch (kind) {
        case "URL" -> parts.add(new Part(r.astring(), null));
        case "TEXT" -> parts.add(new Part(null, r.literal()));
        default -> throw new ImapParseException("Unknown CATENATE part " + kind);
      }
      if (parts.size() > MAX_PARTS) {
        throw new ImapParseException("Too many CATENATE parts");
      }
    }
    if (parts.isEmpty()) {
      throw new ImapParseException("CATENATE needs at least one part");
    }
    return parts;
  }

  private static final Pattern URL =
      Pattern.compile(
          "^(?:imap://(?:([^@/;]*)(?:;[^@/]*)?@)?[^/]*)?(?:/([^;/?]*)(?:;UIDVALIDITY=(\\d+))?)?"
              + "/?;UID=(\\d+)(?:/;SECTION=([^/]*))?(?:/;PARTIAL=(\\d+)(?:\\.(\\d+))?)?$",
          Pattern.CASE_INSENSITIVE);

  /** Puts the message together; the caller closes the returned literal. */
  static Literal build(ImapSession s, List<Part> parts) throws CommandFailed {
    Spool out = new Spool(s.config.spoolDirectory(), s.config.maxLiteralSize());
    try {
      for (Part p : parts) {
        if (p.text() != null) {
          try (InputStream in = p.text().openStream()) {
            out.copy(in);
          }
        } else {
          copyUrl(s, p.url(), out);
        }
      }
      return out.finish();
    } catch (IOException e) {
      out.discard();
      throw CommandFailed.no("SERVERBUG", "Cannot put the message together: " + e.getMessage());
    } catch (CommandFailed | RuntimeException e) {
      out.discard();
      throw e;
    }
  }

  private static void copyUrl(ImapSession s, String url, Spool out)
      throws CommandFailed, IOException {
    Matcher m = URL.matcher(url);
    CommandFailed bad =
        CommandFailed.no("BADURL \"" + url.replace("\"", "") + "\"", "Not a URL of a message here");
    if (!m.matches()) {
      throw bad;
    }
    if (m.group(1) != null && !m.group(1).isEmpty() && !decode(m.group(1)).equals(s.userName)) {
      throw bad;
    }
    String mailbox;
    if (m.group(2) != null) {
      try {
        mailbox = MailboxCommands.canonical(s, decode(m.group(2)));
      } catch (IllegalArgumentException | CommandFailed e) {
        throw bad;
      }
    } else if (s.selected != null) {
      mailbox = s.selected.name;
    } else {
      throw bad;
    }
    long uid = Long.parseLong(m.group(4));
    MailboxChanges state;
    Map<Long, MimePart> structures;
    try {
      // the mailbox's UIDVALIDITY without listing it: no change is above the largest mod-sequence
      state = s.call(() -> s.user.changesSince(mailbox, Long.MAX_VALUE - 1));
      structures = s.call(() -> s.user.structures(mailbox, List.of(uid)));
    } catch (CommandFailed e) {
      throw bad;
    }
    if (m.group(3) != null && Long.parseLong(m.group(3)) != state.uidValidity()) {
      throw bad;
    }
    MimePart root = structures.get(uid);
    if (root == null) {
      throw bad;
    }
    long[] range = range(root, m.group(5) == null ? "" : decode(m.group(5)));
    if (range == null) {
      throw bad;
    }
    long start = range[0];
    long length = range[1] - range[0];
    if (m.group(6) != null) {
      long from = Math.min(Long.parseLong(m.group(6)), length);
      long n =
          m.group(7) == null ? length - from : Math.min(Long.parseLong(m.group(7)), length - from);
      start += from;
      length = n;
    }
    if (length == 0) {
      return;
    }
    long offset = start;
    long n = length;
    try (InputStream in = s.call(() -> s.user.read(mailbox, uid, offset, n))) {
      out.copy(in);
    }
  }

  /** The byte range of a URL's section (RFC 5092 isection), or null if there is none. */
  static long[] range(MimePart root, String section) {
    String spec = section.toUpperCase(Locale.ROOT);
    List<Integer> path = new ArrayList<>();
    String[] pieces = spec.isEmpty() ? new String[0] : spec.split("\\.");
    int i = 0;
    while (i < pieces.length
        && !pieces[i].isEmpty()
        && pieces[i].chars().allMatch(Character::isDigit)) {
      try {
        path.add(Integer.parseInt(pieces[i]));
      } catch (NumberFormatException e) {
        return null;
      }
      i++;
    }
    String text = String.join(".", java.util.Arrays.copyOfRange(pieces, i, pieces.length));
    MimePart p =
        path.isEmpty() ? root : root.part(path.stream().mapToInt(Integer::intValue).toArray());
    if (p == null) {
      return null;
    }
    MimePart msg = path.isEmpty() ? root : p.message();
    return switch (text) {
      case "" ->
          path.isEmpty()
              ? new long[] {root.headerStart(), root.end()}
              : new long[] {p.bodyStart(), p.end()};
      case "MIME" -> path.isEmpty() ? null : new long[] {p.headerStart(), p.bodyStart()};
      case "HEADER" -> msg == null ? null : new long[] {msg.headerStart(), msg.bodyStart()};
      case "TEXT" -> msg == null ? null : new long[] {msg.bodyStart(), msg.end()};
      default -> null;
    };
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Bytes kept in memory up to {@link #IN_MEMORY}, then in a spool file; at most {@code max}. */
  private static final class Spool {
    private final Path dir;
    private final long max;
    private ByteArrayOutputStream memory = new ByteArrayOutputStream();
    private Path file;
    private OutputStream fileOut;
    private long size;

    Spool(Path dir, long max) {
      this.dir = dir;
      this.max = max;
    }

    void copy(InputStream in) throws IOException, CommandFailed {
      byte[] buf = new byte[16 * 1024];
      for (int r; (r = in.read(buf)) > 0; ) {
        size += r;
        if (size > max) {
          throw CommandFailed.no("TOOBIG", "The message would exceed " + max + " bytes");
        }
        if (file == null && memory.size() + r > IN_MEMORY) {
          file = Files.createTempFile(dir, "imap-catenate", ".tmp");
          fileOut = Files.newOutputStream(file);
          memory.writeTo(fileOut);
          memory = null;
        }
        if (file == null) {
          memory.write(buf, 0, r);
        } else {
          fileOut.write(buf, 0, r);
        }
      }
    }

    Literal finish() throws IOException {
      if (file == null) {
        return Literal.inMemory(memory.toByteArray());
      }
      fileOut.close();
      return Literal.spooled(file, size);
    }

    void discard() {
      try {
        if (fileOut != null) {
          fileOut.close();
        }
        if (file != null) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        // a spool file left behind is in the spool directory, which the server owns
      }
    }
  }
}
