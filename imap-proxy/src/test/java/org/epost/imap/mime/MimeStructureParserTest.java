package org.epost.imap.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.LongStream;
import org.epost.imap.codec.ResponseBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Offsets and structure of nested MIME, independent of how the stream delivers its bytes. */
class MimeStructureParserTest {
  static final String NESTED =
      "From: a@example.org\r\nSubject: outer\r\nMIME-Version: 1.0\r\n"
          + "Content-Type: multipart/mixed; boundary=outer\r\n\r\n"
          + "--outer\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
          + "--outer\r\nContent-Type: message/rfc822\r\n\r\n"
          + "Subject: inner\r\nContent-Type: multipart/alternative; boundary=\"in ner\"\r\n\r\n"
          + "--in ner\r\nContent-Type: text/plain\r\n\r\nplain\r\n--in ner\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n"
          + "--in ner--\r\n"
          + "--outer--\r\nepilogue\r\n";

  /** Returns at most a random number of bytes per read, like a network stream. */
  static InputStream fragmented(byte[] bytes, long seed) {
    Random r = new Random(seed);
    return new FilterInputStream(new ByteArrayInputStream(bytes)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 1 + r.nextInt(7)));
      }
    };
  }

  private static String slice(byte[] b, long from, long to) {
    return new String(b, (int) from, (int) (to - from), StandardCharsets.ISO_8859_1);
  }

  /** 50 seeds of read fragmentation. */
  static LongStream seeds() {
    return LongStream.range(1, 51);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void nestedOffsets(long seed) throws IOException {
    byte[] b = NESTED.getBytes(StandardCharsets.ISO_8859_1);
    MimePart root = MimeStructureParser.parse(fragmented(b, seed));
    assertEquals(b.length, root.end());
    assertEquals("multipart", root.type());
    assertEquals(2, root.children().size());
    MimePart text = root.part(new int[] {1});
    assertEquals("hello", slice(b, text.bodyStart(), text.end()));
    MimePart rfc822 = root.part(new int[] {2});
    assertEquals("message", rfc822.type());
    assertEquals("inner", rfc822.message().header("Subject"));
    MimePart html = root.part(new int[] {2, 2});
    assertEquals("<b>x</b>", slice(b, html.bodyStart(), html.end()));
    assertEquals("Content-Type: text/html\r\n\r\n", slice(b, html.headerStart(), html.bodyStart()));
    assertNull(root.part(new int[] {3}));
    assertTrue(slice(b, rfc822.bodyStart(), rfc822.end()).endsWith("--in ner--"));
  }

  @Test
  void bodyStructureOfNestedMessage() throws IOException {
    MimePart root =
        MimeStructureParser.parse(
            new ByteArrayInputStream(NESTED.getBytes(StandardCharsets.ISO_8859_1)));
    ResponseBuilder out = new ResponseBuilder();
    StructureWriter.body(out, root, false);
    String s = new String(out.toBytes(), StandardCharsets.UTF_8);
    assertTrue(
        s.startsWith(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 5 1)(\"MESSAGE\" \"RFC822\""),
        s);
    assertTrue(s.contains("\"inner\""), s);
    assertTrue(s.contains("\"ALTERNATIVE\")"), s);
    assertTrue(s.endsWith(" \"MIXED\")"), s);
  }

  @Test
  void brokenMimeIsReadAsText() throws IOException {
    String broken = "Content-Type: multipart/mixed\r\n\r\nno boundary parameter\r\n";
    MimePart root =
        MimeStructureParser.parse(
            new ByteArrayInputStream(broken.getBytes(StandardCharsets.US_ASCII)));
    assertEquals("text", root.type());
    String unterminated =
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nnever closed";
    MimePart r2 =
        MimeStructureParser.parse(
            new ByteArrayInputStream(unterminated.getBytes(StandardCharsets.US_ASCII)));
    assertEquals(1, r2.children().size());
    assertEquals(unterminated.length(), r2.end());
  }

  @Test
  void headerMemoryIsBounded() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      sb.append("X-Filler-").append(i).append(": ").append("v".repeat(20)).append("\r\n");
    }
    sb.append("\r\nbody\r\n");
    MimePart root =
        MimeStructureParser.parse(
            new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.US_ASCII)));
    long kept = root.fields().stream().mapToLong(f -> f.raw().length()).sum();
    assertTrue(kept <= MimeStructureParser.MAX_HEADER_BYTES, "kept " + kept);
    assertEquals("body\r\n", sb.substring((int) root.bodyStart()));
  }

  @Test
  void responseBuilderQuotesOrUsesLiterals() {
    assertEquals(
        "\"a \\\"b\\\"\"",
        new String(new ResponseBuilder().nstring("a \"b\"").toBytes(), StandardCharsets.UTF_8));
    assertEquals(
        "{4}\r\na\r\nb",
        new String(new ResponseBuilder().nstring("a\r\nb").toBytes(), StandardCharsets.UTF_8));
    assertEquals(
        "{2}\r\n\u00e9",
        new String(new ResponseBuilder().nstring("\u00e9").toBytes(), StandardCharsets.UTF_8));
    assertEquals(
        "NIL", new String(new ResponseBuilder().nstring(null).toBytes(), StandardCharsets.UTF_8));
    assertEquals(
        "INBOX",
        new String(new ResponseBuilder().astring("INBOX").toBytes(), StandardCharsets.UTF_8));
    assertEquals(
        "\"My Box\"",
        new String(new ResponseBuilder().astring("My Box").toBytes(), StandardCharsets.UTF_8));
  }
}
