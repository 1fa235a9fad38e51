package org.epost.mail.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.epost.imap.api.TextSearch.Verdict;
import org.epost.imap.mime.DecodedText;
import org.epost.imap.mime.MimePart;
import org.epost.imap.mime.MimeStructureParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full-text index answers as the server's own decoded-text check does: MATCH and NO_MATCH only
 * where that check would say so, UNKNOWN where it cannot tell; it survives a reopen, keeps no
 * readable word on disk, and starts empty (to be fed again) with another key or a damaged file.
 */
class TextIndexTest {
  @TempDir Path tmp;

  private static final byte[] KEY = new byte[32];

  static final String[] MESSAGES = {
    "From: Bob <bob@example.org>\r\nSubject: Lunch\r\n\r\nShall we meet for lunch at noon?\r\n",
    "From: Carol <carol@example.org>\r\nSubject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
        + "\r\n\r\nDas Passwort ist gel=C3=B6scht. Mail me: carol@example.org\r\n",
    "From: Dave <dave@example.org>\r\nSubject: photo\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n"
        + "\r\nsee the attached e-mail\r\n--b\r\nContent-Type: image/png\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gbHVuY2g=\r\n--b--\r\n",
  };

  static MimePart parse(byte[] m) throws IOException {
    return MimeStructureParser.parse(new ByteArrayInputStream(m));
  }

  /** The server's semantics: a case-insensitive substring of one decoded segment. */
  static boolean reference(byte[] m, String needle, boolean text) throws IOException {
    String n = needle.toLowerCase(java.util.Locale.ROOT);
    boolean[] found = {false};
    DecodedText.read(
        new ByteArrayInputStream(m),
        DecodedText.segments(parse(m), text),
        (seg, r) -> {
          StringBuilder sb = new StringBuilder();
          char[] b = new char[4096];
          int k;
          while ((k = r.read(b)) > 0) {
            sb.append(b, 0, k);
          }
          found[0] |= sb.toString().toLowerCase(java.util.Locale.ROOT).contains(n);
          return !found[0];
        });
    return found[0];
  }

  private static long[] fill(TextIndex index) throws IOException {
    long[] ids = new long[MESSAGES.length];
    for (int i = 0; i < MESSAGES.length; i++) {
      byte[] m = MESSAGES[i].getBytes(StandardCharsets.UTF_8);
      ids[i] = 1000 + i;
      index.add(ids[i], parse(m), new ByteArrayInputStream(m));
    }
    return ids;
  }

  @Test
  void verdictsAgreeWithTheServersCheck() throws Exception {
    try (TextIndex index = TextIndex.open(tmp.resolve("text"), KEY)) {
      long[] ids = fill(index);
      String[] needles = {
        "lunch",
        "LUNCH",
        "unc",
        "noon?",
        "passwort",
        "gelöscht",
        "grüße",
        "GRÜ",
        "e-mail",
        "carol@example",
        "example.org",
        "hello",
        "bob",
        "subject",
        "at noon",
        "png",
        "ai",
      };
      for (String needle : needles) {
        for (boolean text : new boolean[] {false, true}) {
          Verdict[] v = index.verdicts(needle, text, ids);
          for (int i = 0; i < ids.length; i++) {
            boolean truth = reference(MESSAGES[i].getBytes(StandardCharsets.UTF_8), needle, text);
            String what = needle + (text ? " TEXT" : " BODY") + " message " + i + ": " + v[i];
            if (v[i] == Verdict.MATCH) {
              assertTrue(truth, what);
            } else if (v[i] == Verdict.NO_MATCH) {
              assertFalse(truth, what);
            }
          }
        }
      }
      // one word: decided without reading; base64 image text is not text
      assertArrayEquals(
          new Verdict[] {Verdict.MATCH, Verdict.NO_MATCH, Verdict.NO_MATCH},
          index.verdicts("unc", false, ids));
      assertArrayEquals(
          new Verdict[] {Verdict.NO_MATCH, Verdict.MATCH, Verdict.NO_MATCH},
          index.verdicts("grü", true, ids));
      // several words: a superset for the server to check ("example ... Mail" in message 1)
      assertArrayEquals(
          new Verdict[] {Verdict.NO_MATCH, Verdict.UNKNOWN, Verdict.UNKNOWN},
          index.verdicts("e-mail", false, ids));
      assertNull(index.verdicts("@", false, ids), "no word: the index cannot help");
      assertEquals(Verdict.UNKNOWN, index.verdicts("lunch", false, new long[] {7})[0]);
    }
  }

  @Test
  void survivesAReopenAndKeepsNoReadableWordOnDisk() throws Exception {
    Path dir = tmp.resolve("text");
    long[] ids;
    try (TextIndex index = TextIndex.open(dir, KEY)) {
      ids = fill(index);
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String word : List.of("lunch", "passwort", "carol", "noon")) {
          assertFalse(raw.contains(word), word + " readable in " + f);
        }
      }
    }
    try (TextIndex index = TextIndex.open(dir, KEY)) {
      assertEquals(3, index.size());
      assertEquals(Verdict.MATCH, index.verdicts("noon", false, ids)[0]);
    }
  }

  @Test
  void anotherKeyOrADamagedFileStartsEmpty() throws Exception {
    Path dir = tmp.resolve("text");
    try (TextIndex index = TextIndex.open(dir, KEY)) {
      fill(index);
    }
    byte[] other = new byte[32];
    other[0] = 1;
    try (TextIndex index = TextIndex.open(dir, other)) {
      assertEquals(0, index.size(), "unreadable with another key: empty, to be fed again");
      fill(index);
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith("segments_")).forEach(files::add);
    }
    byte[] b = Files.readAllBytes(files.get(0));
    b[b.length - 5] ^= 1;
    Files.write(files.get(0), b);
    try (TextIndex index = TextIndex.open(dir, other)) {
      assertEquals(0, index.size(), "a damaged file: empty, to be fed again");
    }
  }
}
