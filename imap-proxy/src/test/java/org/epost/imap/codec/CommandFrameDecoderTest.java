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
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Property(tries = 200)
  void sameFramesForAnyFragmentation(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int maxFragment) throws Exception {
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
}
