package org.epost.imap.mime;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
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
    addresses(out, m.header("Sender") != null ? m.header("Sender") : from).sp();
    addresses(out, m.header("Reply-To") != null ? m.header("Reply-To") : from).sp();
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
    if (value == null || value.isBlank()) {
      return out.nil();
    }
    AddressList list;
    try {
      String utf8 = new String(value.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
      list = LenientAddressParser.DEFAULT.parseAddressList(utf8);
    } catch (RuntimeException e) {
      return out.nil();
    }
    if (list == null || list.isEmpty()) {
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
