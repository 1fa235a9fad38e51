package org.epost.imap.mime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.dom.field.ParsedField;
import org.apache.james.mime4j.field.LenientFieldParser;

/**
 * Reads a message once, as a stream, and records its MIME tree with byte offsets. Header fields are
 * parsed with Apache James Mime4j. Memory is bounded whatever the message: at most {@link
 * #MAX_HEADER_BYTES} of header text per part, {@link #MAX_PARTS} parts and {@link #MAX_DEPTH}
 * levels of nesting; anything beyond is treated as opaque body text. Broken MIME (missing
 * boundaries, bad headers) never fails: the parser does what RFC 2046 readers do and treats what it
 * cannot understand as text.
 */
public final class MimeStructureParser {
  static final int MAX_HEADER_BYTES = 128 * 1024;
  static final int MAX_PARTS = 1000;
  static final int MAX_DEPTH = 40;
  private static final int KEEP = 1024;

  private final InputStream in;
  private final Deque<String> boundaries = new ArrayDeque<>();
  private final byte[] lineBuf = new byte[KEEP];
  private long offset;
  private long lineIndex;
  private int prevTerm;
  private long prevStart = -1;
  private Line pushedBack;
  private int parts;

  /**
   * A line: where it starts, its text (up to 1 KiB), whether it was longer, its terminator length.
   */
  private record Line(
      long start,
      long index,
      String text,
      boolean truncated,
      int term,
      int prevTerm,
      long prevStart) {
    boolean blank() {
      return text.isEmpty() && !truncated;
    }
  }

  private MimeStructureParser(InputStream in) {
    this.in = in;
  }

  /** Parses a whole message. The stream is read to its end but not closed. */
  public static MimePart parse(InputStream in) throws IOException {
    MimeStructureParser p = new MimeStructureParser(in);
    MimePart root = p.entity(false, 0);
    while (p.next() != null) {
      // drain: the root always ends at the end of the stream
    }
    root.end = p.offset;
    return root;
  }

  private Line next() throws IOException {
    if (pushedBack != null) {
      Line l = pushedBack;
      pushedBack = null;
      return l;
    }
    long start = offset;
    int n = 0;
    boolean truncated = false;
    int term = 0;
    int b;
    while ((b = in.read()) >= 0) {
      offset++;
      if (b == '\n') {
        term = 1;
        break;
      }
      if (n < KEEP) {
        lineBuf[n++] = (byte) b;
      } else {
        truncated = true;
      }
    }
    if (b < 0 && offset == start) {
      return null;
    }
    if (term == 1 && n > 0 && lineBuf[n - 1] == '\r' && !truncated) {
      n--;
      term = 2;
    }
    Line l =
        new Line(
            start,
            lineIndex++,
            new String(lineBuf, 0, n, StandardCharsets.ISO_8859_1),
            truncated,
            term,
            prevTerm,
            prevStart);
    prevTerm = term;
    prevStart = start;
    return l;
  }

  private boolean isBoundary(Line l) {
    if (l.truncated() || !l.text().startsWith("--") || boundaries.isEmpty()) {
      return false;
    }
    String t = stripTrailingWhitespace(l.text());
    for (String b : boundaries) {
      if (t.equals("--" + b) || t.equals("--" + b + "--")) {
        return true;
      }
    }
    return false;
  }

  private static String stripTrailingWhitespace(String s) {
    int e = s.length();
    while (e > 0 && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t')) {
      e--;
    }
    return s.substring(0, e);
  }

  private static long endBefore(Line l, long floor) {
    return Math.max(floor, l.start() - l.prevTerm());
  }

  private MimePart entity(boolean digest, int depth) throws IOException {
    parts++;
    MimePart part = new MimePart();
    part.headerStart = offset;
    if (pushedBack != null) {
      part.headerStart = pushedBack.start();
    }
    readHeader(part);
    applyContentType(part, digest, depth);
    long firstBodyLine = lineIndex - (pushedBack != null ? 1 : 0);
    if (part.isMultipart()) {
      multipartBody(part, depth);
    } else if (part.lowerType().equals("message/rfc822")
        && depth < MAX_DEPTH
        && parts < MAX_PARTS) {
      MimePart inner = entity(false, depth + 1);
      part.message = inner;
      part.end = inner.end;
    } else {
      leafBody(part);
    }
    long endLine = lineIndex - (pushedBack != null ? 1 : 0);
    if (pushedBack != null && endLine > firstBodyLine && pushedBack.prevStart() >= part.end) {
      // the line before the boundary is empty: its CRLF belongs to the boundary (RFC 2046 5.1.1),
      // so it is no line of this body
      endLine--;
    }
    part.bodyLines = Math.max(0, endLine - firstBodyLine);
    return part;
  }

  private void readHeader(MimePart part) throws IOException {
    StringBuilder current = null;
    String currentName = null;
    long kept = 0;
    while (true) {
      Line l = next();
      if (l == null) {
        part.bodyStart = offset;
        part.end = offset;
        break;
      }
      if (isBoundary(l)) {
        pushedBack = l;
        part.bodyStart = l.start();
        part.end = l.start();
        break;
      }
      if (l.blank()) {
        part.bodyStart = l.start() + l.term();
        break;
      }
      String raw = l.text() + (l.term() == 2 ? "\r\n" : "\n");
      char c0 = l.text().isEmpty() ? ' ' : l.text().charAt(0);
      if ((c0 == ' ' || c0 == '\t') && current != null) {
        if (kept + raw.length() <= MAX_HEADER_BYTES) {
          current.append(raw);
          kept += raw.length();
        }
        continue;
      }
      if (current != null) {
        part.fields.add(new MimePart.Field(currentName, current.toString()));
        current = null;
      }
      int colon = l.text().indexOf(':');
      if (colon > 0 && kept + raw.length() <= MAX_HEADER_BYTES) {
        currentName = l.text().substring(0, colon).trim();
        current = new StringBuilder(raw);
        kept += raw.length();
      }
    }
    if (current != null) {
      part.fields.add(new MimePart.Field(currentName, current.toString()));
    }
  }

  private static void applyContentType(MimePart part, boolean digest, int depth) {
    String ct = part.header("Content-Type");
    boolean parsed = false;
    if (ct != null) {
      try {
        ParsedField f = LenientFieldParser.parse("Content-Type: " + ct);
        if (f instanceof ContentTypeField ctf
            && ctf.getMediaType() != null
            && ctf.getSubType() != null
            && !ctf.getMediaType().isEmpty()
            && !ctf.getSubType().isEmpty()) {
          part.type = ctf.getMediaType().toLowerCase(Locale.ROOT);
          part.subtype = ctf.getSubType().toLowerCase(Locale.ROOT);
          for (Map.Entry<String, String> e : ctf.getParameters().entrySet()) {
            part.params.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
          }
          parsed = true;
        }
      } catch (MimeException | RuntimeException e) {
        parsed = false;
      }
    }
    if (!parsed && digest) {
      part.type = "message";
      part.subtype = "rfc822";
    }
    if (part.type.equals("text") && !part.params.containsKey("charset")) {
      part.params.put("charset", "us-ascii");
    }
    if (part.isMultipart()
        && (part.params.get("boundary") == null
            || part.params.get("boundary").isEmpty()
            || depth >= MAX_DEPTH)) {
      part.type = "text";
      part.subtype = "plain";
    }
  }

  private void leafBody(MimePart part) throws IOException {
    if (part.end == part.bodyStart && pushedBack != null) {
      return;
    }
    readToBoundary(part);
  }

  /**
   * Consumes lines up to the next enclosing boundary (pushed back for the caller) or the end of the
   * message, and sets where {@code part} ends.
   */
  private void readToBoundary(MimePart part) throws IOException {
    while (true) {
      Line l = next();
      if (l == null) {
        part.end = offset;
        return;
      }
      if (isBoundary(l)) {
        pushedBack = l;
        part.end = endBefore(l, part.bodyStart);
        return;
      }
    }
  }

  private void multipartBody(MimePart part, int depth) throws IOException {
    String boundary = part.params.get("boundary");
    String delimiter = "--" + boundary;
    boundaries.push(boundary);
    boolean popped = false;
    try {
      // preamble
      while (true) {
        Line l = next();
        if (l == null) {
          part.end = offset;
          return;
        }
        if (isBoundary(l)) {
          if (stripTrailingWhitespace(l.text()).equals(delimiter)) {
            break;
          }
          pushedBack = l;
          part.end = endBefore(l, part.bodyStart);
          return;
        }
      }
      while (true) {
        if (parts >= MAX_PARTS) {
          break;
        }
        part.children.add(entity(part.subtype.equals("digest"), depth + 1));
        Line l = next();
        if (l == null) {
          part.end = offset;
          return;
        }
        String t = stripTrailingWhitespace(l.text());
        if (t.equals(delimiter)) {
          continue;
        }
        if (t.equals(delimiter + "--")) {
          break;
        }
        pushedBack = l;
        part.end = endBefore(l, part.bodyStart);
        return;
      }
      boundaries.pop();
      popped = true;
      readToBoundary(part); // the epilogue
    } finally {
      if (!popped) {
        boundaries.pop();
      }
    }
  }
}
