package org.epost.imap.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The framer gives the same commands whatever the TCP fragmentation, and enforces its bounds. */
class CommandFrameDecoderTest {
  private static final String SCRIPT =
      "a1 LOGIN {5}\r\nalice {3+}\r\npw!\r\n"
          + "a2 APPEND INBOX (\\Seen) {70}\r\n"
          + "Subject: x".repeat(7)
          + "\r\n"
          + "a3 NOOP\na4 SELECT \"INBOX\"\r\n";

  @TempDir Path spool;

  private EmbeddedChannel channel(int maxLine, long maxLiteral, int memory) {
    return new EmbeddedChannel(new CommandFrameDecoder(maxLine, maxLiteral, memory, 8, spool));
  }

  private static List<CommandFrame> frames(EmbeddedChannel ch) {
    List<CommandFrame> out = new ArrayList<>();
    CommandFrame f;
    while ((f = ch.readInbound()) != null) {
      out.add(f);
    }
    return out;
  }

  private static String describe(CommandFrame f) {
    StringBuilder sb = new StringBuilder();
    for (Object p : f.parts()) {
      sb.append(
          p instanceof Literal l
              ? "[" + (l.isInMemory() ? l.asString() : "file:" + l.size()) + "]"
              : p);
    }
    return f.isError() ? "ERROR " + f.errorTag() + " " + f.error() : sb.toString();
  }

  /** 200 cases: fragments of at most 1 byte, at most 40, then random bounds and seeds. */
  static Stream<Arguments> fragmentations() {
    SplittableRandom r = new SplittableRandom(20_260_005);
    return Stream.iterate(0, i -> i + 1)
        .limit(200)
        .map(i -> Arguments.of(r.nextLong(), i == 0 ? 1 : i == 1 ? 40 : 1 + r.nextInt(40)));
  }

  @ParameterizedTest
  @MethodSource("fragmentations")
  void sameFramesForAnyFragmentation(long seed, int maxFragment) throws Exception {
    Path dir = Files.createTempDirectory("imap-decoder-test");
    EmbeddedChannel ch = new EmbeddedChannel(new CommandFrameDecoder(1024, 1_000_000, 32, 8, dir));
    byte[] bytes = SCRIPT.getBytes(StandardCharsets.UTF_8);
    Random r = new Random(seed);
    int i = 0;
    while (i < bytes.length) {
      int n = Math.min(bytes.length - i, 1 + r.nextInt(maxFragment));
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, n));
      i += n;
    }
    List<CommandFrame> frames = frames(ch);
    List<String> got = frames.stream().map(CommandFrameDecoderTest::describe).toList();
    frames.forEach(CommandFrame::release);
    Files.delete(dir);
    assertEquals(
        List.of(
            "a1 LOGIN [alice] [pw!]",
            "a2 APPEND INBOX (\\Seen) [file:70]",
            "a3 NOOP",
            "a4 SELECT \"INBOX\""),
        got);
    ByteBuf cont = ch.readOutbound();
    assertEquals("+ Ready for literal data\r\n", cont.toString(StandardCharsets.US_ASCII));
    ch.finishAndReleaseAll();
  }

  @Test
  void megabyteLineIsRejectedAndTheConnectionStaysUsable() {
    EmbeddedChannel ch = channel(65536, 1000, 100);
    String huge = "x1 SEARCH SUBJECT " + "a".repeat(1024 * 1024) + "\r\n";
    byte[] b = huge.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < b.length; i += 8192) {
      ch.writeInbound(Unpooled.wrappedBuffer(b, i, Math.min(8192, b.length - i)));
    }
    ch.writeInbound(Unpooled.copiedBuffer("x2 NOOP\r\n", StandardCharsets.US_ASCII));
    List<CommandFrame> f = frames(ch);
    assertEquals(2, f.size());
    assertTrue(f.get(0).isError());
    assertEquals("x1", f.get(0).errorTag());
    assertEquals("x2 NOOP", f.get(1).firstLine());
    assertTrue(ch.isOpen());
  }

  @Test
  void oversizedSynchronizingLiteralIsRefusedWithoutContinuation() {
    EmbeddedChannel ch = channel(1024, 1000, 100);
    ch.writeInbound(
        Unpooled.copiedBuffer("y1 APPEND INBOX {5000}\r\ny2 NOOP\r\n", StandardCharsets.US_ASCII));
    List<CommandFrame> f = frames(ch);
    assertTrue(f.get(0).isError());
    assertTrue(f.get(0).error().contains("exceeds the limit"), f.get(0).error());
    assertEquals("y2 NOOP", f.get(1).firstLine());
    assertNull(ch.readOutbound(), "no '+' continuation for a refused literal");
  }

  @Test
  void oversizedNonSynchronizingLiteralClosesTheConnection() {
    EmbeddedChannel ch = channel(1024, 1000, 100);
    ch.writeInbound(
        Unpooled.copiedBuffer("y1 APPEND INBOX {5000+}\r\nxxxx", StandardCharsets.US_ASCII));
    ByteBuf bye = ch.readOutbound();
    assertTrue(bye.toString(StandardCharsets.US_ASCII).startsWith("* BYE Literal of 5000 bytes"));
    ch.runPendingTasks();
    assertFalse(ch.isOpen());
  }

  @Test
  void tooManyLiteralsInOneCommandIsRefused() {
    EmbeddedChannel ch = channel(1024, 1000, 100);
    StringBuilder sb = new StringBuilder("z1 LOGIN");
    for (int i = 0; i < 9; i++) {
      sb.append(" {1+}\r\nx");
    }
    ch.writeInbound(Unpooled.copiedBuffer(sb + "\r\n", StandardCharsets.US_ASCII));
    assertTrue(frames(ch).isEmpty());
    ByteBuf bye = ch.readOutbound();
    assertTrue(bye.toString(StandardCharsets.US_ASCII).startsWith("* BYE Too many literals"));
    ch.runPendingTasks();
    assertFalse(ch.isOpen());
  }

  @Test
  void httpRequestClosesTheConnection() {
    EmbeddedChannel ch = channel(1024, 1000, 100);
    ch.writeInbound(
        Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
    assertTrue(frames(ch).isEmpty());
    ByteBuf bye = ch.readOutbound();
    assertTrue(bye.toString(StandardCharsets.US_ASCII).startsWith("* BYE"));
    ch.runPendingTasks();
    assertFalse(ch.isOpen());
  }

  @Test
  void spooledLiteralFilesAreDeletedOnRelease() throws Exception {
    EmbeddedChannel ch = channel(1024, 100_000, 10);
    ch.writeInbound(
        Unpooled.copiedBuffer(
            "a APPEND INBOX {20+}\r\n01234567890123456789\r\n", StandardCharsets.US_ASCII));
    CommandFrame f = frames(ch).get(0);
    try (var files = Files.list(spool)) {
      assertEquals(1, files.count());
    }
    f.release();
    try (var files = Files.list(spool)) {
      assertEquals(0, files.count());
    }
  }

  /** 500 seeds, each a mutation of the script. */
  static Stream<Long> mutationSeeds() {
    return Stream.iterate(0L, i -> i + 1).limit(500);
  }

  /**
   * The script with random bytes flipped, cut off or extended, fed in random fragments: the framer
   * gives frames or error frames or closes the connection, never throws, and leaves no spooled
   * literal behind once the frames are released.
   */
  @ParameterizedTest
  @MethodSource("mutationSeeds")
  void mutatedInputNeverThrows(long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] bytes = SCRIPT.getBytes(StandardCharsets.UTF_8);
    switch (r.nextInt(3)) {
      case 0 -> {
        for (int k = 1 + r.nextInt(4); k > 0; k--) {
          bytes[r.nextInt(bytes.length)] = (byte) r.nextInt(256);
        }
      }
      case 1 -> bytes = Arrays.copyOf(bytes, r.nextInt(bytes.length + 1));
      default -> {
        int extra = 1 + r.nextInt(64);
        bytes = Arrays.copyOf(bytes, bytes.length + extra);
        for (int i = bytes.length - extra; i < bytes.length; i++) {
          bytes[i] = (byte) r.nextInt(256);
        }
      }
    }
    EmbeddedChannel ch = channel(1024, 1_000_000, 32);
    int i = 0;
    while (i < bytes.length && ch.isOpen()) {
      int n = Math.min(bytes.length - i, 1 + r.nextInt(40));
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, n));
      i += n;
    }
    frames(ch).forEach(CommandFrame::release);
    ch.finishAndReleaseAll();
    try (var files = Files.list(spool)) {
      assertEquals(0, files.count(), "spooled literals left behind");
    }
  }
}
