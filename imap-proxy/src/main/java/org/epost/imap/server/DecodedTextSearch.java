package org.epost.imap.server;

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
import org.epost.imap.mime.MimePart;

/**
 * SEARCH BODY and TEXT over the decoded content of a message (RFC 3501 6.4.4): each text/* part is
 * undone from its Content-Transfer-Encoding (base64, quoted-printable, else as is) and read in its
 * declared charset (unknown charsets as UTF-8 with replacement); headers (TEXT only, and those of
 * encapsulated message/rfc822 parts) have their RFC 2047 encoded words decoded. Non-text leaf parts
 * (images, archives) are not searched. Matching is a case-insensitive substring match using
 * per-character lower-casing ({@link Character#toLowerCase(char)}).
 *
 * <p>Bound: at most {@link #MAX_BYTES_PER_MESSAGE} raw bytes of a message are read per search key;
 * text beyond that is not found, and at most {@link #MAX_HEADER_BYTES} of each header block. Memory
 * per search is one fixed-size character window. Stateless; safe for any thread.
 */
final class DecodedTextSearch {
  /** Raw (still encoded) message bytes read per message and key before the search gives up. */
  static final long MAX_BYTES_PER_MESSAGE = 8L * 1024 * 1024;

  /** Header bytes decoded per header block; the rest of a larger header is skipped. */
  static final int MAX_HEADER_BYTES = 256 * 1024;

  private static final int WINDOW = 8 * 1024;

  /** A byte range of the message to search, and how to turn it into text. */
  record Segment(long start, long end, boolean header, String transferEncoding, Charset charset) {}

  private DecodedTextSearch() {}

  /** The ranges to search, in ascending offset order. */
  static List<Segment> segments(MimePart root, boolean includeHeader) {
    List<Segment> out = new ArrayList<>();
    if (includeHeader) {
      out.add(
          new Segment(root.headerStart(), root.bodyStart(), true, null, StandardCharsets.UTF_8));
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
      out.add(new Segment(m.headerStart(), m.bodyStart(), true, null, StandardCharsets.UTF_8));
      walk(m, out, depth + 1);
    } else if (p.type().equalsIgnoreCase("text")) {
      String cte = p.header("Content-Transfer-Encoding");
      out.add(
          new Segment(
              p.bodyStart(),
              p.end(),
              false,
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
   * True if the decoded text of the segments contains {@code needle}, ignoring case. {@code
   * message} is the whole message from offset 0; it is read forward only.
   */
  static boolean contains(InputStream message, List<Segment> segments, String needle)
      throws IOException {
    if (needle.isEmpty()) {
      return true;
    }
    char[] n = needle.toCharArray();
    lower(n, 0, n.length);
    long pos = 0;
    long budget = MAX_BYTES_PER_MESSAGE;
    for (Segment seg : segments) {
      if (seg.start() < pos || budget <= 0) {
        continue;
      }
      message.skipNBytes(seg.start() - pos);
      long len = Math.min(seg.end() - seg.start(), budget);
      byte[] head = null;
      InputStream range;
      if (seg.header()) {
        head = message.readNBytes((int) Math.min(len, MAX_HEADER_BYTES));
        message.skipNBytes(len - head.length);
        range = null;
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
      boolean found = contains(text, n);
      if (range != null) {
        range.skipNBytes(((RangeStream) range).remaining);
      }
      if (found) {
        return true;
      }
    }
    return false;
  }

  /** Streams the reader through a window that keeps needle-1 characters of overlap. */
  static boolean contains(Reader in, char[] lowerNeedle) throws IOException {
    int nl = lowerNeedle.length;
    char[] buf = new char[Math.max(WINDOW, nl * 2)];
    int have = 0;
    while (true) {
      int read = in.read(buf, have, buf.length - have);
      if (read < 0) {
        return false;
      }
      lower(buf, have, have + read);
      have += read;
      for (int i = 0; i + nl <= have; i++) {
        int j = 0;
        while (j < nl && buf[i + j] == lowerNeedle[j]) {
          j++;
        }
        if (j == nl) {
          return true;
        }
      }
      int keep = Math.min(have, nl - 1);
      System.arraycopy(buf, have - keep, buf, 0, keep);
      have = keep;
    }
  }

  private static void lower(char[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      b[i] = Character.toLowerCase(b[i]);
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
