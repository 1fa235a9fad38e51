package org.epost.mail.mailbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.epost.imap.api.TextSearch;
import org.epost.mail.search.TextIndex;

/**
 * The full-text index's verdicts for one folder's SEARCH BODY or TEXT: the index answers for the
 * stored messages; a copy's added header lines (Authentication-Results), which are not in the
 * index, are checked here for TEXT.
 */
final class FolderTextSearch {
  private FolderTextSearch() {}

  /**
   * The verdicts over the folder's messages ({@code uids} ascending, {@code ids} their index ids,
   * {@code added} their added header lines), or null when the index cannot help with the needle.
   */
  static TextSearch.Hits hits(
      TextIndex index,
      String needle,
      boolean includeHeader,
      long[] uids,
      long[] ids,
      byte[][] added) {
    TextSearch.Verdict[] v;
    try {
      v = index.verdicts(needle, includeHeader, ids);
    } catch (IOException | RuntimeException e) {
      return null; // the server reads instead
    }
    if (v == null) {
      return null;
    }
    if (includeHeader) {
      String lower = lowerPerChar(needle);
      for (int i = 0; i < v.length; i++) {
        if (v[i] != TextSearch.Verdict.MATCH
            && added[i].length > 0
            && addedText(added[i]).contains(lower)) {
          v[i] = TextSearch.Verdict.MATCH;
        }
      }
    }
    return uid -> {
      int i = Arrays.binarySearch(uids, uid);
      return i < 0 ? TextSearch.Verdict.UNKNOWN : v[i];
    };
  }

  private static String lowerPerChar(String s) {
    char[] c = s.toCharArray();
    for (int i = 0; i < c.length; i++) {
      c[i] = Character.toLowerCase(c[i]);
    }
    return new String(c);
  }

  /** Added header lines as SEARCH TEXT sees a header (unfolded, encoded words decoded). */
  private static String addedText(byte[] added) {
    String raw =
        new String(added, StandardCharsets.UTF_8).replace("\r\n ", " ").replace("\r\n\t", " ");
    return lowerPerChar(DecoderUtil.decodeEncodedWords(raw, DecodeMonitor.SILENT));
  }
}
