package org.epost.mail.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.epost.mail.api.MailException;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartRole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storing cuts a message into parts that read back byte for byte, whole and in ranges. */
class MessageStorerTest {
  @TempDir Path tmp;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final MemoryRingStore ring = new MemoryRingStore();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private MessageStorer.Result store(byte[] message) throws Exception {
    MessageStorer storer =
        new MessageStorer(ring, tmp.resolve("spool"), 64L << 20, executor, new SecureRandom());
    return storer
        .store(new ByteArrayInputStream(message))
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  private byte[] read(MessageStorer.Result r, byte[] added, long off, long len) throws Exception {
    OpenedMessage opened =
        ring.open(r.mail().ref()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    RangedReader reader = new RangedReader(ring, opened.parts(), r.layout(), added, 10_000);
    try (InputStream in = reader.open(off, len)) {
      return in.readAllBytes();
    }
  }

  private static byte[] withAttachment(int attachmentBytes, long seed) {
    byte[] att = new byte[attachmentBytes];
    new Random(seed).nextBytes(att);
    String b64 = Base64.getMimeEncoder().encodeToString(att);
    String m =
        "From: alice@ring.example\r\nTo: bob@ring.example\r\nSubject: report\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n"
            + "preamble\r\n--XYZ\r\nContent-Type: text/plain\r\n\r\nHello Bob.\r\n"
            + "--XYZ\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\n"
            + b64
            + "\r\n--XYZ--\r\nepilogue\r\n";
    return m.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aTenMegabyteAttachmentIsItsOwnPartAndReadsBackByteForByte() throws Exception {
    byte[] message = withAttachment(10 << 20, 1);
    MessageStorer.Result r = store(message);
    assertEquals(message.length, r.mail().size());
    OpenedMessage opened = ring.open(r.mail().ref()).toCompletableFuture().get();
    assertEquals(PartRole.STRUCTURE, opened.parts().get(0).role());
    assertEquals(PartRole.HEADER, opened.parts().get(1).role());
    assertTrue(
        opened.parts().stream()
            .anyMatch(
                p ->
                    p.role() == PartRole.ATTACHMENT
                        && p.mimePath().equals("2")
                        && p.length() > 10_000_000),
        "the attachment is a part of its own: " + opened.parts());
    assertArrayEquals(message, read(r, new byte[0], 0, Long.MAX_VALUE));
    assertEquals(0, Files.list(tmp.resolve("spool")).count(), "the spool file is gone once stored");

    // A range inside the attachment reads only that much of the ring.
    long before = ring.bytesRead.get();
    byte[] slice = read(r, new byte[0], 5_000_000, 4096);
    assertArrayEquals(java.util.Arrays.copyOfRange(message, 5_000_000, 5_004_096), slice);
    assertEquals(4096, ring.bytesRead.get() - before);
  }

  @Test
  void aMessageThatFitsOneBlockIsItsStructurePartAloneAndReadsInRanges() throws Exception {
    byte[] message = withAttachment(20_000, 4);
    MessageStorer.Result r = store(message);
    OpenedMessage opened = ring.open(r.mail().ref()).toCompletableFuture().get();
    assertEquals(1, opened.parts().size(), "" + opened.parts());
    assertEquals(PartRole.STRUCTURE, opened.parts().get(0).role());
    assertTrue(r.layout().isInline());
    assertEquals(r.layout().structurePartLength(), opened.parts().get(0).length());
    assertTrue(opened.parts().get(0).length() <= MessageLayout.INLINE_MAX_BYTES);
    // the header length travels in the summary, from the structure
    String text = new String(message, StandardCharsets.US_ASCII);
    assertEquals(text.indexOf("\r\n\r\n") + 4, r.layout().headerLength());
    assertEquals(r.layout().headerLength(), LayoutSummary.decode(r.mail().layout()).headerLength());
    // the part decodes to the layout and holds the bytes; the index's copy has no bytes
    byte[] part =
        ring.read(opened.parts().get(0).ref(), 0, (int) opened.parts().get(0).length())
            .toCompletableFuture()
            .get();
    MessageLayout decoded = MessageLayout.decode(part);
    assertEquals(r.layout().segments(), decoded.segments());
    assertArrayEquals(message, decoded.inlineBytes(part));
    assertEquals(null, MessageLayout.decode(r.layout().encode()).inlineBytes(r.layout().encode()));
    // ranged reads map into the part after the layout
    assertArrayEquals(message, read(r, new byte[0], 0, Long.MAX_VALUE));
    long before = ring.bytesRead.get();
    assertArrayEquals(
        java.util.Arrays.copyOfRange(message, 1000, 1100), read(r, new byte[0], 1000, 100));
    assertEquals(100, ring.bytesRead.get() - before);
  }

  @Test
  void aMessageOverOneBlockKeepsItsHeaderApartFromItsBodies() throws Exception {
    byte[] message = withAttachment(40_000, 5); // about 54 KB in base64
    MessageStorer.Result r = store(message);
    OpenedMessage opened = ring.open(r.mail().ref()).toCompletableFuture().get();
    assertTrue(!r.layout().isInline());
    assertEquals(PartRole.HEADER, opened.parts().get(1).role());
    assertEquals(r.layout().encode().length, opened.parts().get(0).length(), "layout alone");
    assertArrayEquals(message, read(r, new byte[0], 0, Long.MAX_VALUE));
  }

  @Test
  void anInlineStructurePartWithTheWrongNumberOfBytesIsRefused() throws Exception {
    byte[] message = "Subject: x\r\n\r\nshort body\r\n".getBytes(StandardCharsets.US_ASCII);
    MessageStorer.Result r = store(message);
    byte[] head = r.layout().encode();
    byte[] part = java.util.Arrays.copyOf(head, head.length + message.length);
    System.arraycopy(message, 0, part, head.length, message.length);
    assertArrayEquals(message, MessageLayout.decode(part).inlineBytes(part));
    for (int n : new int[] {1, message.length - 1, message.length + 1}) {
      byte[] wrong = java.util.Arrays.copyOf(head, head.length + n);
      assertThrows(IllegalArgumentException.class, () -> MessageLayout.decode(wrong), "" + n);
    }
    // a version 1 layout naming the structure part as a segment's home is refused too
    byte[] v1 = head.clone();
    v1[0] = 1;
    assertThrows(IllegalArgumentException.class, () -> MessageLayout.decode(v1));
  }

  @Test
  void anAddedHeaderIsInFrontOfTheCopyAndRangesSpanIt() throws Exception {
    byte[] message = withAttachment(20_000, 2);
    MessageStorer.Result r = store(message);
    byte[] added = "Authentication-Results: ring.example; epost=pass\r\n".getBytes();
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    whole.write(added);
    whole.write(message);
    byte[] expected = whole.toByteArray();
    assertArrayEquals(expected, read(r, added, 0, Long.MAX_VALUE));
    for (long[] range : new long[][] {{10, 100}, {40, 30_000}, {expected.length - 5, 100}}) {
      int from = (int) range[0];
      int to = (int) Math.min(expected.length, range[0] + range[1]);
      assertArrayEquals(
          java.util.Arrays.copyOfRange(expected, from, to), read(r, added, range[0], range[1]));
    }
    assertEquals(0, read(r, added, expected.length + 10, 10).length);
  }

  @Test
  void brokenMimeStoresAndReadsBackByteForByte() throws Exception {
    // A boundary that never closes, a header line without a colon, bare LFs, a part header in
    // the middle of nowhere and 8-bit junk.
    StringBuilder b = new StringBuilder();
    b.append("From: x\nThis is not a header\r\nContent-Type: multipart/mixed; boundary=");
    b.append("\"never\"\r\n\r\n--never\r\nContent-Type: text/plain\r\n\r\n");
    for (int i = 0; i < 2000; i++) {
      b.append("line ").append(i).append(" \u00e9\u00ff\r\n");
    }
    b.append("--never\nContent-Type: image/png\n\n");
    byte[] head = b.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] junk = new byte[30_000];
    new Random(3).nextBytes(junk);
    byte[] message = new byte[head.length + junk.length];
    System.arraycopy(head, 0, message, 0, head.length);
    System.arraycopy(junk, 0, message, head.length, junk.length);
    MessageStorer.Result r = store(message);
    assertArrayEquals(message, read(r, new byte[0], 0, Long.MAX_VALUE));
    assertEquals(message.length, r.layout().size());
    // the structure is usable
    assertTrue(r.layout().structure().bodyStart() > 0);
    assertEquals(r.layout(), r.layout());
    MessageLayout again = MessageLayout.decode(r.layout().encode());
    assertEquals(r.layout().segments(), again.segments());
  }

  @Test
  void aMessageWithoutHeaderOrBodyStillStores() throws Exception {
    for (String m : new String[] {"", "\r\n", "no header at all, just text", "Subject: x\r\n"}) {
      byte[] bytes = m.getBytes(StandardCharsets.US_ASCII);
      MessageStorer.Result r = store(bytes);
      assertArrayEquals(bytes, read(r, new byte[0], 0, Long.MAX_VALUE), m);
    }
  }

  @Test
  void aMessageOverTheBoundIsRefusedAndLeavesNoSpool() throws Exception {
    MessageStorer storer =
        new MessageStorer(ring, tmp.resolve("spool"), 1000, executor, new SecureRandom());
    var f = storer.store(new ByteArrayInputStream(new byte[5000])).toCompletableFuture();
    var e =
        assertThrows(
            java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    assertEquals(MailException.Kind.LIMIT, ((MailException) e.getCause()).kind());
    try (Stream<Path> s = Files.list(tmp.resolve("spool"))) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void theSpoolFileIsOwnerOnlyAndNotPlaintext() throws Exception {
    EncryptedSpool spool = new EncryptedSpool(tmp.resolve("s"), new SecureRandom());
    byte[] secret = "TOP SECRET TEXT ".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
    try (var out = spool.writer()) {
      out.write(secret);
    }
    Path file;
    try (Stream<Path> s = Files.list(tmp.resolve("s"))) {
      file = s.findFirst().orElseThrow();
    }
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(
        !new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("SECRET"));
    try (InputStream in = spool.reader(70_000, 70_000)) {
      assertArrayEquals(java.util.Arrays.copyOfRange(secret, 70_000, 140_000), in.readAllBytes());
    }
    spool.close();
    assertTrue(!Files.exists(file));
  }

  @Test
  void aMessageShorterThanOneChunkIsSpooledInMemoryWithoutAFile() throws Exception {
    EncryptedSpool spool = new EncryptedSpool(tmp.resolve("m"), new SecureRandom());
    byte[] message =
        "Subject: short\r\n\r\nhello\r\n".repeat(150).getBytes(StandardCharsets.US_ASCII);
    try (var out = spool.writer()) {
      out.write(message);
    }
    try (Stream<Path> s = Files.list(tmp.resolve("m"))) {
      assertEquals(0, s.count(), "no spool file for a message under 64 KiB");
    }
    assertEquals(message.length, spool.length());
    try (InputStream in = spool.reader(100, 1_000)) {
      assertArrayEquals(java.util.Arrays.copyOfRange(message, 100, 1_100), in.readAllBytes());
    }
    try (InputStream in = spool.reader(0, message.length)) {
      assertArrayEquals(message, in.readAllBytes());
    }
    spool.close();
  }
}
