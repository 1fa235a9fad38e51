package org.epost.imap.mime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One MIME entity of a message with the byte offsets of its header and body, so that any section
 * can be streamed from the original bytes without holding the message in memory. Header text is
 * kept as ISO-8859-1 "byte strings" (one char per byte) so it round-trips exactly. Immutable after
 * parsing; safe to share between threads.
 */
public final class MimePart {
  /** One header field: its name and the raw text of the whole field including CRLFs. */
  public record Field(String name, String raw) {
    /** The unfolded value after the colon, trimmed. */
    public String value() {
      int colon = raw.indexOf(':');
      return raw.substring(colon + 1).replace("\r\n", "").replace("\n", "").trim();
    }
  }

  long headerStart;
  long bodyStart;
  long end;
  long bodyLines;
  final List<Field> fields = new ArrayList<>();
  String type = "text";
  String subtype = "plain";
  final Map<String, String> params = new LinkedHashMap<>();
  final List<MimePart> children = new ArrayList<>();
  MimePart message;

  public long headerStart() {
    return headerStart;
  }

  public long bodyStart() {
    return bodyStart;
  }

  public long end() {
    return end;
  }

  public long bodySize() {
    return end - bodyStart;
  }

  public long bodyLines() {
    return bodyLines;
  }

  public List<Field> fields() {
    return fields;
  }

  public String type() {
    return type;
  }

  public String subtype() {
    return subtype;
  }

  public Map<String, String> params() {
    return params;
  }

  public List<MimePart> children() {
    return children;
  }

  public boolean isMultipart() {
    return type.equals("multipart");
  }

  /** For message/rfc822 parts: the encapsulated message, else null. */
  public MimePart message() {
    return message;
  }

  /** The first field with this name (case-insensitive) as an unfolded value, or null. */
  public String header(String name) {
    for (Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        return f.value();
      }
    }
    return null;
  }

  /**
   * The part addressed by a section number path such as {@code [1, 2]} (RFC 3501 6.4.5), or null if
   * there is no such part. Part 1 of a non-multipart entity is its body.
   */
  public MimePart part(int[] path) {
    MimePart p = this;
    for (int i = 0; i < path.length; i++) {
      int n = path[i];
      if (i > 0 && p.message != null) {
        p = p.message;
      }
      if (p.isMultipart()) {
        if (n < 1 || n > p.children.size()) {
          return null;
        }
        p = p.children.get(n - 1);
      } else if (n != 1) {
        return null;
      }
    }
    return p;
  }

  String lowerType() {
    return type.toLowerCase(Locale.ROOT) + "/" + subtype.toLowerCase(Locale.ROOT);
  }
}
