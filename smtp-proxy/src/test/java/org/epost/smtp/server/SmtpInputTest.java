package org.epost.smtp.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

  /** Between {@code min} and {@code max} read sizes, each from 1 to {@code maxRead}. */
  private static List<Integer> reads(SplittableRandom r, int max, int maxRead) {
    List<Integer> reads = new ArrayList<>();
    for (int i = 1 + r.nextInt(max); i > 0; i--) {
      reads.add(1 + r.nextInt(maxRead));
    }
    return reads;
  }

  /**
   * 300 cases: up to 12 lines of up to 6 characters from {@code . a CR x} (dots at line starts,
   * stray CRs), read in up to 5 cycling sizes of 1 to 7 bytes; the first case is an empty body read
   * one byte at a time.
   */
  static Stream<Arguments> bodies() {
    SplittableRandom r = new SplittableRandom(20_260_006);
    char[] alphabet = {'.', 'a', '\r', 'x'};
    return Stream.iterate(0, i -> i + 1)
        .limit(300)
        .map(
            i -> {
              if (i == 0) {
                return Arguments.of(List.of(), List.of(1));
              }
              List<String> lines = new ArrayList<>();
              for (int n = r.nextInt(13); n > 0; n--) {
                StringBuilder line = new StringBuilder();
                for (int c = r.nextInt(7); c > 0; c--) {
                  line.append(alphabet[r.nextInt(alphabet.length)]);
                }
                lines.add(line.toString());
              }
              return Arguments.of(lines, reads(r, 5, 7));
            });
  }

  @ParameterizedTest
  @MethodSource("bodies")
  void dataIsUnstuffedWhateverTheFragmentation(List<String> lines, List<Integer> reads)
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

  /**
   * 100 cases: lines of 513 (one over the limit) to 100,000 bytes, read in up to 3 cycling sizes of
   * 1 to 4,096 bytes.
   */
  static Stream<Arguments> longLines() {
    SplittableRandom r = new SplittableRandom(20_260_007);
    return Stream.iterate(0, i -> i + 1)
        .limit(100)
        .map(
            i ->
                Arguments.of(
                    i == 0 ? 513 : i == 1 ? 100_000 : 513 + r.nextInt(100_000 - 512),
                    reads(r, 3, 4096)));
  }

  @ParameterizedTest
  @MethodSource("longLines")
  void overLongLinesAreSkippedAndTheNextLineIsIntact(int length, List<Integer> reads)
      throws IOException {
    byte[] wire = ("X".repeat(length) + "\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII);
    SmtpInput in = new SmtpInput(fragmented(wire, reads));
    org.junit.jupiter.api.Assertions.assertThrows(
        SmtpInput.LineTooLongException.class, () -> in.readLine(512));
    assertEquals("QUIT", in.readLine(512));
  }
}
