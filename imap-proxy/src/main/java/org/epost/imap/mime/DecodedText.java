package org.epost.imap.mime;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;

/**
 * The text of a message that SEARCH BODY and TEXT look at (RFC 3501 6.4.4), one definition shared
 * by the server's own check and by a backend's full-text index ({@link
 * org.epost.imap.api.TextSearch}): each text/* part undone from its Content-Transfer-Encoding
 * (base64, quoted-printable, else as is) and read in its declared charset (unknown charsets as
 * UTF-8 with replacement); headers (the top-level one for TEXT only, and those of encapsulated
 * message/rfc822 parts) unfolded with their RFC 2047 encoded words decoded. Non-text leaf parts
 * (images, archives) are not text. A match never spans two segments.
 *
 * <p>Bound: at most {@link #MAX_BYTES_PER_MESSAGE} raw bytes of a message are decoded, and at most
 * {@link #MAX_HEADER_BYTES} of each header block. Stateless; safe for any thread.
 */
public final class DecodedText {
  /** Raw (still encoded) message bytes decoded per message. */
  public static final long MAX_BYTES_PER_MESSAGE = 8L * 1024 * 1024;

  /** Header bytes decoded per header block; the rest of a larger header is skipped. */
  public static final int MAX_HEADER_BYTES = 256 * 1024;

  /** What a segment is. */
  public enum Kind {
    /** The message's own header (searched by TEXT, not by BODY). */
    TOP_HEADER,
    /** The header of an encapsulated message/rfc822 part. */
    HEADER,
    /** A text/* part's content. */
    BODY
  }

  /** A byte range of the message that holds text, and how to decode it. */
  public record Segment(long start, long end, Kind kind, String transferEncoding, Charset charset) {
    /** Whether the segment is a header block. */
    public boolean header() {
      return kind != Kind.BODY;
    }
  }

  /** Receives each segment's decoded text in turn. */
  @FunctionalInterface
  public interface Visitor {
    /**
     * Called once per segment, in offset order; {@code text} is valid during the call only.
     *
     * @return false to stop reading the message
     */
    boolean visit(Segment segment, Reader text) throws IOException;
  }

  private DecodedText() {}

  /** The text segments of a message, in ascending offset order. */
  public static List<Segment> segments(MimePart root, boolean includeTopHeader) {
    List<Segment> out = new ArrayList<>();
    if (includeTopHeader) {
      out.add(
          new Segment(
              root.headerStart(), root.bodyStart(), Kind.TOP_HEADER, null, StandardCharsets.UTF_8));
    }
    walk(root, out, 0);
    return out;
  }

  private static void walk(MimePart p, List<Segment> out, int depth) {
    if (depth > 64) {
      return;
    }
    if (p.isMultipart()) {
      for (MimePart child : p.children()) {
        walk(child, out, depth + 1);
      }
    } else if (p.message() != null) {
      MimePart m = p.message();
      out.add(
          new Segment(m.headerStart(), m.bodyStart(), Kind.HEADER, null, StandardCharsets.UTF_8));
      walk(m, out, depth + 1);
    } else if (p.type().equalsIgnoreCase("text")) {
      String cte = p.header("Content-Transfer-Encoding");
      out.add(
          new Segment(
              p.bodyStart(),
              p.end(),
              Kind.BODY,
              cte == null ? "7bit" : cte.trim().toLowerCase(Locale.ROOT),
              charset(p.params().get("charset"))));
    }
  }

  private static Charset charset(String name) {
    if (name == null) {
      return StandardCharsets.US_ASCII;
    }
    try {
      return Charset.forName(name.trim());
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      return StandardCharsets.UTF_8;
    }
  }

  /**
   * Decodes the segments of {@code message} (the whole message from offset 0, read forward only)
   * and hands each one's text to {@code visitor}, within the bounds of the class comment.
   */
  public static void read(InputStream message, List<Segment> segments, Visitor visitor)
      throws IOException {
    long pos = 0;
    long budget = MAX_BYTES_PER_MESSAGE;
    for (Segment seg : segments) {
      if (seg.start() < pos || budget <= 0) {
        continue;
      }
      message.skipNBytes(seg.start() - pos);
      long len = Math.min(seg.end() - seg.start(), budget);
      byte[] head = null;
      RangeStream range = null;
      if (seg.header()) {
        head = message.readNBytes((int) Math.min(len, MAX_HEADER_BYTES));
        message.skipNBytes(len - head.length);
      } else {
        range = new RangeStream(message, len);
      }
      budget -= len;
      pos = seg.start() + len;
      Reader text;
      if (head != null) {
        String raw =
            new String(head, StandardCharsets.UTF_8).replace("\r\n ", " ").replace("\r\n\t", " ");
        text = new StringReader(DecoderUtil.decodeEncodedWords(raw, DecodeMonitor.SILENT));
      } else {
        InputStream decoded =
            switch (seg.transferEncoding()) {
              case "base64" -> new Base64InputStream(range, DecodeMonitor.SILENT);
              case "quoted-printable" ->
                  new QuotedPrintableInputStream(range, DecodeMonitor.SILENT);
              default -> range;
            };
        text = new InputStreamReader(decoded, seg.charset());
      }
      boolean more = visitor.visit(seg, text);
      if (range != null) {
        range.skipNBytes(range.remaining);
      }
      if (!more) {
        return;
      }
    }
  }

  /** At most {@code remaining} bytes of the underlying stream; never closes it. */
  private static final class RangeStream extends InputStream {
    private final InputStream in;
    long remaining;

    RangeStream(InputStream in, long remaining) {
      this.in = in;
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public void close() {}
  }
}
