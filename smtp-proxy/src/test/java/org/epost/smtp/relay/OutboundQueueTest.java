package org.epost.smtp.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionException;
import org.epost.smtp.server.RelayQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue's disk format and its recovery from what a crash can leave behind. */
class OutboundQueueTest {
  @TempDir Path dir;

  private static final byte[] MESSAGE =
      "Subject: q\r\nMessage-ID: <q@test>\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8);

  private static Envelope envelope(String... recipients) {
    return new Envelope(
        "alice@ring.example", List.of(recipients), "<q@test>", Optional.empty(), "127.0.0.1");
  }

  private static byte[] read(InputStream in) throws Exception {
    try (in) {
      return in.readAllBytes();
    }
  }

  @Test
  void aCommittedMessageIsFoundAgainAfterReopening() throws Exception {
    OutboundQueue queue = new OutboundQueue(dir, Clock.systemUTC(), 10);
    queue
        .stage(
            envelope("carol@outside.example", "dave@outside.example"),
            new ByteArrayInputStream(MESSAGE))
        .commit();
    OutboundQueue reopened = new OutboundQueue(dir, Clock.systemUTC(), 10);
    List<QueueEntry> entries = reopened.loadAll();
    assertEquals(1, entries.size());
    QueueEntry e = entries.get(0);
    assertEquals(
        List.of("carol@outside.example", "dave@outside.example"),
        e.recipients.stream().map(r -> r.address).toList());
    assertEquals("<q@test>", e.messageId);
    assertArrayEquals(MESSAGE, read(reopened.message(e)));
  }

  @Test
  void aStagedButUncommittedMessageIsForgotten() throws Exception {
    OutboundQueue queue = new OutboundQueue(dir, Clock.systemUTC(), 10);
    queue.stage(envelope("carol@outside.example"), new ByteArrayInputStream(MESSAGE));
    RelayQueue.Staged discarded =
        queue.stage(envelope("carol@outside.example"), new ByteArrayInputStream(MESSAGE));
    discarded.discard();
    assertTrue(new OutboundQueue(dir, Clock.systemUTC(), 10).loadAll().isEmpty());
    try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, tmp.count(), "staging area emptied on start");
    }
  }

  @Test
  void aTruncatedQueueFileIsDiscardedAndAnIntactOneKept() throws Exception {
    OutboundQueue queue = new OutboundQueue(dir, Clock.systemUTC(), 10);
    queue.stage(envelope("carol@outside.example"), new ByteArrayInputStream(MESSAGE)).commit();
    queue.stage(envelope("dave@outside.example"), new ByteArrayInputStream(MESSAGE)).commit();
    Path victim;
    try (Stream<Path> files = Files.list(dir.resolve("active"))) {
      victim = files.filter(f -> f.toString().endsWith(".msg")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(victim);
    Files.write(
        victim, java.util.Arrays.copyOf(bytes, bytes.length - 7)); // cut like a crash before fsync
    List<QueueEntry> entries = new OutboundQueue(dir, Clock.systemUTC(), 10).loadAll();
    assertEquals(1, entries.size());
    assertTrue(Files.notExists(victim));
  }

  @Test
  void aFlippedByteIsDetected() throws Exception {
    OutboundQueue queue = new OutboundQueue(dir, Clock.systemUTC(), 10);
    queue.stage(envelope("carol@outside.example"), new ByteArrayInputStream(MESSAGE)).commit();
    Path file;
    try (Stream<Path> files = Files.list(dir.resolve("active"))) {
      file = files.findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x20;
    Files.write(file, bytes);
    assertTrue(new OutboundQueue(dir, Clock.systemUTC(), 10).loadAll().isEmpty());
  }

  @Test
  void stateUpdatesOverrideTheInitialEnvelopeAndOrphanStateIsRemoved() throws Exception {
    OutboundQueue queue = new OutboundQueue(dir, Clock.systemUTC(), 10);
    queue
        .stage(
            envelope("carol@outside.example", "dave@outside.example"),
            new ByteArrayInputStream(MESSAGE))
        .commit();
    QueueEntry e = queue.loadAll().get(0);
    e.recipients.get(0).state = QueueEntry.RecipientState.DELIVERED;
    e.recipients.get(0).lastReply = "250 2.0.0 ok";
    queue.update(e);
    QueueEntry reloaded = new OutboundQueue(dir, Clock.systemUTC(), 10).loadAll().get(0);
    assertEquals(
        List.of("dave@outside.example"), reloaded.pending().stream().map(r -> r.address).toList());
    Files.writeString(dir.resolve("state/zzz-orphan.env"), "left over");
    Files.delete(dir.resolve("active/" + e.id + ".msg"));
    assertTrue(new OutboundQueue(dir, Clock.systemUTC(), 10).loadAll().isEmpty());
    try (Stream<Path> files = Files.list(dir.resolve("state"))) {
      assertEquals(0, files.count(), "state files without a message are deleted");
    }
  }

  @Test
  void aFullQueueRefusesWith452() throws Exception {
    OutboundQueue queue = new OutboundQueue(dir, Clock.systemUTC(), 2);
    queue.loadAll();
    queue.stage(envelope("a@outside.example"), new ByteArrayInputStream(MESSAGE)).commit();
    queue.stage(envelope("b@outside.example"), new ByteArrayInputStream(MESSAGE));
    SubmissionException e =
        assertThrows(
            SubmissionException.class,
            () -> queue.stage(envelope("c@outside.example"), new ByteArrayInputStream(MESSAGE)));
    assertEquals(SmtpStatus.INSUFFICIENT_STORAGE, e.status());
  }
}
