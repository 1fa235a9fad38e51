package org.epost.smtp.relay;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How a queued message goes on the wire to the smarthost (docs/adr/0045, 0048).
 *
 * <ul>
 *   <li>{@link #scan}: one pass over the message that finds 8-bit bytes and NULs, and whether the
 *       message is a single part whose body can be re-encoded as quoted-printable.
 *   <li>{@link DotStuffing}: every line end becomes CRLF (a bare CR or LF as well), every dot at
 *       the start of a line is doubled, and the end is {@code CRLF.CRLF}. Whatever the queue holds,
 *       a smarthost that reads line ends loosely cannot find an earlier end of data.
 *   <li>{@link #writeQuotedPrintable}: the 7-bit form for a smarthost without 8BITMIME, or for a
 *       body with NUL bytes (which no SMTP body may carry without BINARYMIME).
 * </ul>
 *
 * <p>Stateless; the classes inside are used by one relay attempt.
 */
final class WireBody {
  private static final int MAX_HEADER_LINE = 8 * 1024;
  private static final int MAX_FIELD_VALUE = 1024;

  private WireBody() {}

  /** What {@link #scan} found. */
  record Scan(boolean has8bit, boolean hasNul, boolean convertible, String whyNot) {
    /** True if this message may not go out as it is to a server with(out) 8BITMIME. */
    boolean needs7bit(boolean smarthostOffers8bitmime) {
      return hasNul || (has8bit && !smarthostOffers8bitmime);
    }
  }

  /** Reads the whole message once. */
  static Scan scan(InputStream message) throws IOException {
    try (InputStream in = new BufferedInputStream(message, 64 * 1024)) {
      HeaderReader headers = new HeaderReader(in);
      boolean header8bit = false;
      boolean headerControl = false;
      boolean tooLong = false;
      String contentType = "";
      String encoding = "";
      byte[] line;
      while ((line = headers.next()) != null) {
        if (line.length > MAX_HEADER_LINE) {
          tooLong = true;
        }
        for (byte b : line) {
          if (b < 0) {
            header8bit = true;
          } else if (b < 0x20 && b != '\t') {
            headerControl = true;
          }
        }
      }
      contentType = headers.field("content-type");
      encoding = headers.field("content-transfer-encoding");
      boolean has8bit = header8bit;
      boolean hasNul = false;
      byte[] chunk = new byte[64 * 1024];
      int n;
      while ((n = in.read(chunk)) != -1) {
        for (int i = 0; i < n; i++) {
          byte b = chunk[i];
          if (b < 0) {
            has8bit = true;
          } else if (b == 0) {
            hasNul = true;
          }
        }
      }
      String type = contentType.toLowerCase(Locale.ROOT);
      String cte = encoding.toLowerCase(Locale.ROOT).trim();
      String whyNot = null;
      if (header8bit || headerControl) {
        whyNot = "8-bit or control bytes in the header";
      } else if (tooLong) {
        whyNot = "a header line longer than " + MAX_HEADER_LINE + " bytes";
      } else if (type.startsWith("multipart/") || type.startsWith("message/")) {
        whyNot = "8-bit content inside a " + type.split(";")[0].trim() + " body";
      } else if (!(cte.isEmpty()
          || cte.equals("7bit")
          || cte.equals("8bit")
          || cte.equals("binary"))) {
        whyNot = "8-bit bytes in a body declared as " + cte;
      }
      return new Scan(has8bit, hasNul || headers.sawNul, whyNot == null, whyNot);
    }
  }

  /**
   * Writes the message with its body re-encoded as quoted-printable (RFC 2045 6.7): the header
   * unchanged except for a new Content-Transfer-Encoding (and MIME-Version if missing); CRLF in the
   * body is a line break, any other byte outside printable ASCII is {@code =XX}. Only for messages
   * whose {@link Scan#convertible()} is true.
   */
  static void writeQuotedPrintable(InputStream message, OutputStream out) throws IOException {
    try (InputStream in = new BufferedInputStream(message, 64 * 1024)) {
      HeaderReader headers = new HeaderReader(in);
      boolean skipping = false;
      boolean mimeVersion = false;
      byte[] line;
      while ((line = headers.next()) != null) {
        boolean continuation = line.length > 0 && (line[0] == ' ' || line[0] == '\t');
        if (!continuation) {
          String name = HeaderReader.name(line);
          skipping = name.equals("content-transfer-encoding");
          mimeVersion |= name.equals("mime-version");
        }
        if (!skipping) {
          out.write(line);
          out.write(CRLF);
        }
      }
      if (!mimeVersion) {
        out.write("MIME-Version: 1.0\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write(
          "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      QuotedPrintable qp = new QuotedPrintable(out);
      int c;
      boolean cr = false;
      while ((c = in.read()) != -1) {
        if (cr) {
          cr = false;
          if (c == '\n') {
            qp.lineBreak();
            continue;
          }
          qp.encoded('\r');
        }
        if (c == '\r') {
          cr = true;
        } else {
          qp.put(c);
        }
      }
      if (cr) {
        qp.encoded('\r');
      }
      qp.finish();
    }
  }

  private static final byte[] CRLF = {'\r', '\n'};

  /** Reads header lines (without their line end) up to and including the empty line. */
  private static final class HeaderReader {
    private final InputStream in;
    private boolean done;
    boolean sawNul;
    private String lastName = "";
    private final java.util.Map<String, StringBuilder> wanted = new java.util.HashMap<>();

    HeaderReader(InputStream in) {
      this.in = in;
      wanted.put("content-type", new StringBuilder());
      wanted.put("content-transfer-encoding", new StringBuilder());
    }

    /** The next header line, or null after the empty line (consumed) or at the end. */
    byte[] next() throws IOException {
      if (done) {
        return null;
      }
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (c == 0) {
          sawNul = true;
        }
        if (line.size() <= MAX_HEADER_LINE) {
          line.write(c);
        }
      }
      byte[] bytes = line.toByteArray();
      int length = bytes.length;
      if (length > 0 && bytes[length - 1] == '\r') {
        length--;
      }
      if (length == 0) {
        done = true;
        return null;
      }
      byte[] result = java.util.Arrays.copyOf(bytes, length);
      if (c == -1) {
        done = true;
      }
      boolean continuation = result[0] == ' ' || result[0] == '\t';
      String text = new String(result, StandardCharsets.ISO_8859_1);
      if (!continuation) {
        lastName = name(result);
        int colon = text.indexOf(':');
        text = colon < 0 ? "" : text.substring(colon + 1);
      }
      StringBuilder value = wanted.get(lastName);
      if (value != null && value.length() < MAX_FIELD_VALUE) {
        value.append(text);
      }
      return result;
    }

    String field(String name) {
      return wanted.get(name).toString().trim();
    }

    static String name(byte[] line) {
      String text = new String(line, StandardCharsets.ISO_8859_1);
      int colon = text.indexOf(':');
      return colon < 0 ? "" : text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
    }
  }

  /** Quoted-printable body encoder with soft line breaks before 76 characters. */
  private static final class QuotedPrintable {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private final OutputStream out;
    private final byte[] line = new byte[80];
    private int length;

    QuotedPrintable(OutputStream out) {
      this.out = out;
    }

    void put(int c) throws IOException {
      if (c == '\t' || c == ' ' || (c >= 33 && c <= 126 && c != '=')) {
        token(new byte[] {(byte) c});
      } else {
        encoded(c);
      }
    }

    void encoded(int c) throws IOException {
      token(new byte[] {'=', HEX[(c >> 4) & 0xf], HEX[c & 0xf]});
    }

    private void token(byte[] t) throws IOException {
      if (length + t.length > 75) {
        out.write(line, 0, length);
        out.write(new byte[] {'=', '\r', '\n'});
        length = 0;
      }
      System.arraycopy(t, 0, line, length, t.length);
      length += t.length;
    }

    /** Whitespace at the end of an encoded line would be lost in transport: encode it. */
    private void encodeTrailingBlank() throws IOException {
      if (length > 0 && (line[length - 1] == ' ' || line[length - 1] == '\t')) {
        int blank = line[--length];
        encoded(blank);
      }
    }

    void lineBreak() throws IOException {
      encodeTrailingBlank();
      out.write(line, 0, length);
      out.write(CRLF);
      length = 0;
    }

    /** Ends the body; a last line without line end ends with a soft break. */
    void finish() throws IOException {
      if (length > 0) {
        encodeTrailingBlank();
        out.write(line, 0, length);
        out.write(new byte[] {'=', '\r', '\n'});
        length = 0;
      }
    }
  }

  /**
   * Dot-stuffing with line-end normalisation: a bare CR, a bare LF and CRLF all become CRLF; a dot
   * after any of them is doubled; {@link #finish} ends the last line and writes {@code .CRLF}.
   */
  static final class DotStuffing extends OutputStream {
    private final OutputStream out;
    private final byte[] buffer = new byte[16 * 1024];
    private int length;
    private boolean lineStart = true;
    private boolean pendingCr;

    DotStuffing(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int c) throws IOException {
      if (length + 3 > buffer.length) {
        out.write(buffer, 0, length);
        length = 0;
      }
      c &= 0xff;
      if (pendingCr) {
        pendingCr = false;
        newLine();
        if (c == '\n') {
          return;
        }
      }
      if (c == '\r') {
        pendingCr = true;
        return;
      }
      if (c == '\n') {
        newLine();
        return;
      }
      if (lineStart && c == '.') {
        buffer[length++] = '.';
      }
      buffer[length++] = (byte) c;
      lineStart = false;
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
      for (int i = offset; i < offset + count; i++) {
        write(bytes[i]);
      }
    }

    private void newLine() {
      buffer[length++] = '\r';
      buffer[length++] = '\n';
      lineStart = true;
    }

    /** Ends the data: a CRLF if the last line has none, then the terminating dot line. */
    void finish() throws IOException {
      if (length + 5 > buffer.length) {
        out.write(buffer, 0, length);
        length = 0;
      }
      if (pendingCr) {
        pendingCr = false;
        newLine();
      }
      if (!lineStart) {
        newLine();
      }
      buffer[length++] = '.';
      buffer[length++] = '\r';
      buffer[length++] = '\n';
      out.write(buffer, 0, length);
      length = 0;
      out.flush();
    }
  }
}
