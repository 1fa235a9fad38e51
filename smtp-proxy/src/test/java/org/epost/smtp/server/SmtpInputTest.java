package org.epost.smtp.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** The framing is independent of how TCP splits the bytes. */
class SmtpInputTest {

  /** Delivers the bytes in reads of the given sizes, cycling. */
  private static InputStream fragmented(byte[] bytes, List<Integer> sizes) {
    return new InputStream() {
      int pos;
      int turn;

      @Override
      public int read() {
        return pos < bytes.length ? bytes[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= bytes.length) {
          return -1;
        }
        int n = Math.min(Math.min(len, sizes.get(turn++ % sizes.size())), bytes.length - pos);
        System.arraycopy(bytes, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }

  private static byte[] stuff(String body) {
    StringBuilder b = new StringBuilder();
    String[] lines = body.split("\r\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i > 0) {
        b.append("\r\n");
      }
      b.append(line.startsWith(".") ? "." + line : line);
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Property(tries = 300)
  void dataIsUnstuffedWhateverTheFragmentation(
      @ForAll @Size(min = 0, max = 12)
          List<
                  @StringLength(max = 6) @net.jqwik.api.constraints.Chars({'.', 'a', '\r', 'x'})
                  String>
              lines,
      @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 1, max = 7) Integer> reads)
      throws IOException {
    String body = lines.stream().map(l -> l.replace("\r", "")).reduce("", (a, l) -> a + l + "\r\n");
    byte[] wire =
        (new String(stuff(body), StandardCharsets.UTF_8) + ".\r\nNOOP\r\n")
            .getBytes(StandardCharsets.UTF_8);
    SmtpInput in = new SmtpInput(fragmented(wire, reads));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long seen = in.readData(out, Long.MAX_VALUE);
    assertArrayEquals(body.getBytes(StandardCharsets.UTF_8), out.toByteArray());
    assertEquals(body.length(), seen);
    assertEquals("NOOP", in.readLine(512), "the command after the data is intact");
  }

  @Property(tries = 100)
  void overLongLinesAreSkippedAndTheNextLineIsIntact(
      @ForAll @IntRange(min = 513, max = 100_000) int length,
      @ForAll @Size(min = 1, max = 3) List<@IntRange(min = 1, max = 4096) Integer> reads)
      throws IOException {
    byte[] wire = ("X".repeat(length) + "\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII);
    SmtpInput in = new SmtpInput(fragmented(wire, reads));
    org.junit.jupiter.api.Assertions.assertThrows(
        SmtpInput.LineTooLongException.class, () -> in.readLine(512));
    assertEquals("QUIT", in.readLine(512));
  }
}
