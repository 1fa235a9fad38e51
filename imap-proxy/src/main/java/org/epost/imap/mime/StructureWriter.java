package org.epost.imap.mime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.dom.field.ParsedField;
import org.apache.james.mime4j.field.LenientFieldParser;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.epost.imap.codec.ResponseBuilder;

/**
 * Renders ENVELOPE, BODY and BODYSTRUCTURE (RFC 3501 section 7.4.2) from a {@link MimePart} tree.
 */
public final class StructureWriter {
  private StructureWriter() {}

  /** Writes the ENVELOPE of a message's top-level header. */
  public static void envelope(ResponseBuilder out, MimePart m) {
    out.raw('(');
    str(out, m.header("Date")).sp();
    str(out, m.header("Subject")).sp();
    String from = m.header("From");
    addresses(out, from).sp();
    // an absent or empty Sender or Reply-To takes the From value (RFC 3501 7.4.2)
    addresses(out, parse(m.header("Sender")).isEmpty() ? from : m.header("Sender")).sp();
    addresses(out, parse(m.header("Reply-To")).isEmpty() ? from : m.header("Reply-To")).sp();
    addresses(out, m.header("To")).sp();
    addresses(out, m.header("Cc")).sp();
    addresses(out, m.header("Bcc")).sp();
    str(out, m.header("In-Reply-To")).sp();
    str(out, m.header("Message-ID"));
    out.raw(')');
  }

  private static ResponseBuilder str(ResponseBuilder out, String latin1) {
    return out.nstring(latin1, StandardCharsets.ISO_8859_1);
  }

  private static ResponseBuilder addresses(ResponseBuilder out, String value) {
    List<Address> list = parse(value);
    if (list.isEmpty()) {
      return out.nil();
    }
    out.raw('(');
    for (Address a : list) {
      if (a instanceof Mailbox mb) {
        mailbox(out, mb);
      } else if (a instanceof Group g) {
        out.raw("(NIL NIL ").nstring(g.getName()).raw(" NIL)");
        for (Mailbox mb : g.getMailboxes()) {
          mailbox(out, mb);
        }
        out.raw("(NIL NIL NIL NIL)");
      }
    }
    return out.raw(')');
  }

  /**
   * The addresses of a header value (ISO-8859-1 byte string), each mailbox with its display name;
   * an address written {@code user@domain (Real Name)} takes the comment as its name, as RFC 822
   * mail did. Unparseable values give an empty list.
   */
  public static List<Address> parse(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    String utf8 = new String(value.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    List<Address> out = new ArrayList<>();
    for (String piece : topLevelAddresses(utf8)) {
      Address a;
      try {
        a = LenientAddressParser.DEFAULT.parseAddress(piece);
      } catch (RuntimeException e) {
        continue;
      }
      if (a instanceof Mailbox mb && (mb.getName() == null || mb.getName().isEmpty())) {
        String comment = trailingComment(piece);
        if (comment != null) {
          a = new Mailbox(comment, mb.getRoute(), mb.getLocalPart(), mb.getDomain());
        }
      }
      if (a != null) {
        out.add(a);
      }
    }
    return out;
  }

  /**
   * Every address as searchable text: {@code Name <local@domain>}, comments and folding removed.
   */
  public static String searchText(String value) {
    StringBuilder sb = new StringBuilder();
    for (Address a : parse(value)) {
      List<Mailbox> boxes =
          a instanceof Group g ? List.copyOf(g.getMailboxes()) : List.of((Mailbox) a);
      if (a instanceof Group g) {
        sb.append(g.getName()).append(": ");
      }
      for (Mailbox mb : boxes) {
        if (mb.getName() != null) {
          sb.append(mb.getName()).append(' ');
        }
        sb.append('<').append(mb.getAddress()).append(">\n");
      }
    }
    return sb.toString();
  }

  /** Splits at commas outside quotes, comments, angle brackets and groups. */
  private static List<String> topLevelAddresses(String v) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    boolean angle = false;
    boolean group = false;
    int start = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (depth > 0) {
        if (c == '\\') {
          i++;
        } else if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '(') {
        depth++;
      } else if (c == '<') {
        angle = true;
      } else if (c == '>') {
        angle = false;
      } else if (c == ':' && !angle) {
        group = true;
      } else if (c == ';' && group) {
        group = false;
      } else if (c == ',' && !angle && !group) {
        add(out, v.substring(start, i));
        start = i + 1;
      }
    }
    add(out, v.substring(start));
    return out;
  }

  private static void add(List<String> out, String piece) {
    if (!piece.isBlank()) {
      out.add(piece.trim());
    }
  }

  /** The last comment outside angle brackets, unfolded, or null. */
  private static String trailingComment(String piece) {
    String last = null;
    int depth = 0;
    boolean quoted = false;
    boolean angle = false;
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < piece.length(); i++) {
      char c = piece.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
        continue;
      }
      if (depth > 0) {
        if (c == '\\' && i + 1 < piece.length()) {
          current.append(piece.charAt(++i));
          continue;
        }
        if (c == '(') {
          depth++;
        } else if (c == ')' && --depth == 0) {
          if (!angle) {
            last = current.toString().replaceAll("\\s+", " ").trim();
          }
          current.setLength(0);
          continue;
        }
        current.append(c);
        continue;
      }
      if (c == '"') {
        quoted = true;
      } else if (c == '(') {
        depth = 1;
      } else if (c == '<') {
        angle = true;
      } else if (c == '>') {
        angle = false;
      }
    }
    return last == null || last.isEmpty() ? null : last;
  }

  private static void mailbox(ResponseBuilder out, Mailbox mb) {
    out.raw('(');
    String name = mb.getName();
    if (name != null && !name.chars().allMatch(c -> c < 0x80)) {
      name = EncoderUtil.encodeEncodedWord(name, EncoderUtil.Usage.TEXT_TOKEN);
    }
    out.nstring(name).sp();
    String route =
        mb.getRoute() == null || mb.getRoute().isEmpty()
            ? null
            : "@" + String.join(",@", mb.getRoute());
    out.nstring(route).sp();
    out.nstring(mb.getLocalPart()).sp();
    out.nstring(mb.getDomain() == null || mb.getDomain().isEmpty() ? null : mb.getDomain());
    out.raw(')');
  }

  /** Writes BODYSTRUCTURE ({@code extended}) or BODY for an entity. */
  public static void body(ResponseBuilder out, MimePart p, boolean extended) {
    out.raw('(');
    if (p.isMultipart()) {
      if (p.children().isEmpty()) {
        // a multipart without parts is written as an empty text part so clients can cope
        out.raw("\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0");
      }
      for (MimePart c : p.children()) {
        body(out, c, extended);
      }
      out.sp().nstring(p.subtype().toUpperCase(Locale.ROOT));
      if (extended) {
        out.sp();
        params(out, p.params());
        out.sp();
        disposition(out, p);
        out.sp();
        str(out, p.header("Content-Language")).sp();
        str(out, p.header("Content-Location"));
      }
      out.raw(')');
      return;
    }
    out.nstring(p.type().toUpperCase(Locale.ROOT))
        .sp()
        .nstring(p.subtype().toUpperCase(Locale.ROOT))
        .sp();
    params(out, p.params());
    out.sp();
    str(out, p.header("Content-ID")).sp();
    str(out, p.header("Content-Description")).sp();
    String cte = p.header("Content-Transfer-Encoding");
    out.nstring(cte == null || cte.isBlank() ? "7BIT" : cte.trim().toUpperCase(Locale.ROOT)).sp();
    out.number(p.bodySize());
    if (p.message() != null) {
      out.sp();
      envelope(out, p.message());
      out.sp();
      body(out, p.message(), extended);
      out.sp().number(p.bodyLines());
    } else if (p.type().equals("text")) {
      out.sp().number(p.bodyLines());
    }
    if (extended) {
      out.sp();
      str(out, p.header("Content-MD5")).sp();
      disposition(out, p);
      out.sp();
      str(out, p.header("Content-Language")).sp();
      str(out, p.header("Content-Location"));
    }
    out.raw(')');
  }

  private static void params(ResponseBuilder out, Map<String, String> params) {
    if (params.isEmpty()) {
      out.nil();
      return;
    }
    out.raw('(');
    boolean first = true;
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (!first) {
        out.sp();
      }
      first = false;
      out.nstring(e.getKey().toUpperCase(Locale.ROOT)).sp().nstring(e.getValue());
    }
    out.raw(')');
  }

  private static void disposition(ResponseBuilder out, MimePart p) {
    String cd = p.header("Content-Disposition");
    if (cd == null) {
      out.nil();
      return;
    }
    try {
      ParsedField f = LenientFieldParser.parse("Content-Disposition: " + cd);
      if (f instanceof ContentDispositionField cdf
          && cdf.getDispositionType() != null
          && !cdf.getDispositionType().isEmpty()) {
        out.raw('(').nstring(cdf.getDispositionType().toUpperCase(Locale.ROOT)).sp();
        params(out, cdf.getParameters());
        out.raw(')');
        return;
      }
    } catch (org.apache.james.mime4j.MimeException | RuntimeException e) {
      // fall through: an unparseable disposition is reported as absent
    }
    out.nil();
  }

  /** Field names of a HEADER.FIELDS list, matched case-insensitively. */
  public static String filterHeader(MimePart p, List<String> names, boolean not) {
    StringBuilder sb = new StringBuilder();
    for (MimePart.Field f : p.fields()) {
      boolean listed = names.stream().anyMatch(n -> n.equalsIgnoreCase(f.name()));
      if (listed != not) {
        sb.append(f.raw());
      }
    }
    return sb.append("\r\n").toString();
  }
}
