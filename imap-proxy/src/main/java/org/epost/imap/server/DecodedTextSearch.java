package org.epost.imap.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.List;
import org.epost.imap.mime.DecodedText;
import org.epost.imap.mime.MimePart;

/**
 * SEARCH BODY and TEXT over the decoded content of a message ({@link DecodedText}, RFC 3501 6.4.4).
 * Matching is a case-insensitive substring match using per-character lower-casing ({@link
 * Character#toLowerCase(char)}), within one segment.
 *
 * <p>Bound: the bounds of {@link DecodedText}; memory per search is one fixed-size character
 * window. Stateless; safe for any thread.
 */
final class DecodedTextSearch {
  /** Raw (still encoded) message bytes read per message and key before the search gives up. */
  static final long MAX_BYTES_PER_MESSAGE = DecodedText.MAX_BYTES_PER_MESSAGE;

  private static final int WINDOW = 8 * 1024;

  private DecodedTextSearch() {}

  /** The ranges to search, in ascending offset order. */
  static List<DecodedText.Segment> segments(MimePart root, boolean includeHeader) {
    return DecodedText.segments(root, includeHeader);
  }

  /**
   * True if the decoded text of the segments contains {@code needle}, ignoring case. {@code
   * message} is the whole message from offset 0; it is read forward only.
   */
  static boolean contains(InputStream message, List<DecodedText.Segment> segments, String needle)
      throws IOException {
    if (needle.isEmpty()) {
      return true;
    }
    char[] n = needle.toCharArray();
    lower(n, 0, n.length);
    boolean[] found = {false};
    DecodedText.read(
        message,
        segments,
        (seg, text) -> {
          found[0] = contains(text, n);
          return !found[0];
        });
    return found[0];
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
}
