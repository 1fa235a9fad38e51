package org.epost.imap.codec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * IMAP's modified UTF-7 for mailbox names (RFC 3501 5.1.3): printable ASCII stands for itself
 * except {@code &}, written {@code &-}; anything else is {@code &}, modified BASE64 (with {@code ,}
 * for {@code /}, no padding) of its UTF-16BE, then {@code -}.
 */
public final class ModifiedUtf7 {
  private static final Base64.Encoder ENC = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getDecoder();

  private ModifiedUtf7() {}

  /** Encodes a Unicode name for the wire. */
  public static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length() + 8);
    int i = 0;
    while (i < name.length()) {
      char c = name.charAt(i);
      if (c >= 0x20 && c <= 0x7e) {
        out.append(c == '&' ? "&-" : String.valueOf(c));
        i++;
        continue;
      }
      int j = i;
      while (j < name.length() && (name.charAt(j) < 0x20 || name.charAt(j) > 0x7e)) {
        j++;
      }
      byte[] utf16 = name.substring(i, j).getBytes(StandardCharsets.UTF_16BE);
      out.append('&').append(ENC.encodeToString(utf16).replace('/', ',')).append('-');
      i = j;
    }
    return out.toString();
  }

  /**
   * Decodes a wire name; refuses what is not the one correct encoding of some name: raw bytes
   * outside printable ASCII, an unterminated or empty shift, bad BASE64 or padding bits, an odd
   * byte count, lone surrogates, printable ASCII written in BASE64, or two shifts in a row.
   *
   * @throws IllegalArgumentException if {@code wire} is not well-formed
   */
  public static String decode(String wire) {
    StringBuilder out = new StringBuilder(wire.length());
    int i = 0;
    boolean lastWasShift = false;
    while (i < wire.length()) {
      char c = wire.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("character outside printable ASCII");
      }
      if (c != '&') {
        out.append(c);
        i++;
        lastWasShift = false;
        continue;
      }
      int end = wire.indexOf('-', i + 1);
      if (end < 0) {
        throw new IllegalArgumentException("unterminated &");
      }
      if (end == i + 1) {
        out.append('&');
        i = end + 1;
        lastWasShift = false;
        continue;
      }
      if (lastWasShift) {
        throw new IllegalArgumentException("two encoded runs in a row");
      }
      String b64 = wire.substring(i + 1, end);
      if (!b64.matches("[A-Za-z0-9+,]+") || b64.length() % 4 == 1) {
        throw new IllegalArgumentException("bad modified BASE64");
      }
      byte[] bytes;
      try {
        bytes = DEC.decode(b64.replace(',', '/'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad modified BASE64", e);
      }
      if (bytes.length % 2 != 0 || !ENC.encodeToString(bytes).equals(b64.replace(',', '/'))) {
        throw new IllegalArgumentException("bad UTF-16 length or padding bits");
      }
      String text;
      try {
        text =
            StandardCharsets.UTF_16BE
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("invalid UTF-16", e);
      }
      for (char t : text.toCharArray()) {
        if (t >= 0x20 && t <= 0x7e) {
          throw new IllegalArgumentException("printable ASCII must not be encoded");
        }
      }
      out.append(CharBuffer.wrap(text));
      i = end + 1;
      lastWasShift = true;
    }
    return out.toString();
  }
}
