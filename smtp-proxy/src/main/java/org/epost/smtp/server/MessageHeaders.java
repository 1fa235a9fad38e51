package org.epost.smtp.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads just enough of a message's header section to find its Message-ID. Reads at most {@link
 * #SCAN_LIMIT} bytes; a header section longer than that counts as having no Message-ID (the server
 * then adds one, which is harmless).
 */
final class MessageHeaders {
  static final int SCAN_LIMIT = 256 * 1024;

  private MessageHeaders() {}

  /** The Message-ID header's value (trimmed, unfolded), if the header section has one. */
  static Optional<String> findMessageId(InputStream message) throws IOException {
    StringBuilder line = new StringBuilder();
    String header = null;
    int read = 0;
    int c;
    while ((c = message.read()) != -1 && read++ < SCAN_LIMIT) {
      if (c == '\n') {
        String text = stripCr(line);
        line.setLength(0);
        if (text.isEmpty()) {
          return idOf(header);
        }
        if (text.charAt(0) == ' ' || text.charAt(0) == '\t') {
          if (header != null) {
            header = header + " " + text.trim();
          }
          continue;
        }
        Optional<String> id = idOf(header);
        if (id.isPresent()) {
          return id;
        }
        header = text;
      } else {
        line.append((char) c);
      }
    }
    return idOf(header);
  }

  private static String stripCr(StringBuilder line) {
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      end--;
    }
    return line.substring(0, end);
  }

  private static Optional<String> idOf(String header) {
    if (header == null) {
      return Optional.empty();
    }
    int colon = header.indexOf(':');
    if (colon <= 0
        || !header.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("message-id")) {
      return Optional.empty();
    }
    String value = header.substring(colon + 1).trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }
}
