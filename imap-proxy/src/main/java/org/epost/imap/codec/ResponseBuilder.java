package org.epost.imap.codec;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds the bytes of IMAP responses: atoms, numbers, NIL, quoted strings and literals, choosing
 * the quoted form when possible and a literal otherwise. Not thread-safe.
 */
public final class ResponseBuilder {
  private byte[] buf = new byte[256];
  private int len;

  public ResponseBuilder raw(String ascii) {
    int n = ascii.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      char c = ascii.charAt(i);
      if (c >= 0x80) {
        // not ASCII after all: encode the rest as UTF-8
        return bytes(ascii.substring(i).getBytes(StandardCharsets.UTF_8));
      }
      buf[len++] = (byte) c;
    }
    return this;
  }

  public ResponseBuilder raw(char c) {
    ensure(1);
    buf[len++] = (byte) c;
    return this;
  }

  public ResponseBuilder sp() {
    return raw(' ');
  }

  public ResponseBuilder crlf() {
    raw('\r');
    return raw('\n');
  }

  public ResponseBuilder number(long n) {
    return raw(Long.toString(n));
  }

  public ResponseBuilder nil() {
    return raw("NIL");
  }

  public ResponseBuilder bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  public ResponseBuilder bytes(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  /** A string (quoted if possible, else a literal) encoded in UTF-8, or NIL for null. */
  public ResponseBuilder nstring(String s) {
    return nstring(s, StandardCharsets.UTF_8);
  }

  /** A string (quoted if possible, else a literal) encoded in {@code charset}, or NIL for null. */
  public ResponseBuilder nstring(String s, Charset charset) {
    if (s == null) {
      return nil();
    }
    byte[] b = s.getBytes(charset);
    if (quotable(b)) {
      raw('"');
      for (byte x : b) {
        if (x == '"' || x == '\\') {
          raw('\\');
        }
        raw((char) x);
      }
      return raw('"');
    }
    raw('{').number(b.length).raw('}').crlf();
    return bytes(b);
  }

  /** An astring: an atom when the text is a safe atom, else a string. */
  /**
   * An astring; with {@code utf8} (RFC 6855 UTF8=ACCEPT enabled) a quoted string may carry UTF-8,
   * so only CR, LF and NUL force a literal.
   */
  public ResponseBuilder astring(String s, boolean utf8) {
    if (utf8
        && !s.isEmpty()
        && s.chars().anyMatch(c -> c >= 0x80)
        && s.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      raw('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          raw('\\');
        }
        if (c < 0x80) {
          raw(c);
        } else {
          int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
          bytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
          i = end - 1;
        }
      }
      return raw('"');
    }
    return astring(s);
  }

  public ResponseBuilder astring(String s) {
    if (!s.isEmpty()
        && s.chars().allMatch(c -> c > 0x20 && c < 0x7f && "(){%*\"\\]".indexOf(c) < 0)) {
      return raw(s);
    }
    return nstring(s);
  }

  private static boolean quotable(byte[] b) {
    if (b.length > 1000) {
      return false;
    }
    for (byte x : b) {
      if (x == '\r' || x == '\n' || x == 0 || (x & 0x80) != 0) {
        return false;
      }
    }
    return true;
  }

  public int length() {
    return len;
  }

  /** The internal buffer; valid up to {@link #length()} until the next change. */
  public byte[] array() {
    return buf;
  }

  public byte[] toBytes() {
    return Arrays.copyOf(buf, len);
  }

  public ResponseBuilder reset() {
    len = 0;
    return this;
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }
}
