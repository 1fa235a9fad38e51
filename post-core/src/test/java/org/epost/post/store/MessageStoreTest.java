package org.epost.post.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.MessageRef;
import org.epost.post.api.MessageStore;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartReader;
import org.epost.post.api.PartRole;
import org.epost.post.api.StoreException;
import org.epost.post.api.StoredMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The message store through a simulated ring of real PAST nodes: a sender stores, a recipient on
 * another node (with another owner's secret) opens and reads with the reference alone.
 */
class MessageStoreTest {
  private StoreRing ring;
  private SimulatedNode senderNode;
  private SimulatedNode recipientNode;
  private CountingPast senderPast;
  private CountingPast recipientPast;
  private MessageStore sender;
  private MessageStore recipient;

  @BeforeEach
  void ring() {
    ring = new StoreRing(11, 10);
    senderNode = ring.nodes().get(2);
    recipientNode = ring.nodes().get(7);
    senderPast = ring.counting(senderNode);
    recipientPast = ring.counting(recipientNode);
    sender = ring.store(senderNode, ring.owner(senderNode), senderPast);
    recipient = ring.store(recipientNode, ring.owner(recipientNode), recipientPast);
  }

  private static PartInput part(PartRole role, String path, long seed, int length) {
    return PartInput.of(role, path, Content.bytes(seed, length));
  }

  private byte[] readAll(MessageStore store, PartInfo part) {
    PartReader reader = store.reader(part.ref(), 0, Long.MAX_VALUE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      byte[] chunk = ring.await(reader.next());
      if (chunk == null) {
        return out.toByteArray();
      }
      assertTrue(chunk.length <= Blocks.LEAF, "a chunk is at most one block");
      out.writeBytes(chunk);
    }
  }

  @Test
  void aRecipientReadsEveryPartOfAMessageFromShortTextToMultiMegabyte() {
    int[] lengths = {0, 1, 180, 5_000, Blocks.LEAF, Blocks.LEAF + 1, 3 * 1024 * 1024 + 77};
    List<PartInput> parts = new java.util.ArrayList<>();
    for (int i = 0; i < lengths.length; i++) {
      PartRole role = i == 0 ? PartRole.HEADER : i < 3 ? PartRole.BODY : PartRole.ATTACHMENT;
      parts.add(part(role, i == 0 ? "" : Integer.toString(i), 100 + i, lengths[i]));
    }
    StoredMessage stored = ring.await(sender.store(parts));

    // The recipient knows only the encoded reference (as a notification would carry it).
    MessageRef ref = assertDoesNotThrowDecode(stored.ref().encode());
    OpenedMessage opened = ring.await(recipient.open(ref));
    assertEquals(lengths.length, opened.parts().size());
    for (int i = 0; i < lengths.length; i++) {
      PartInfo p = opened.parts().get(i);
      assertEquals(i, p.index());
      assertEquals(lengths[i], p.length());
      assertEquals(parts.get(i).role(), p.role());
      assertEquals(parts.get(i).mimePath(), p.mimePath());
      assertArrayEquals(Content.bytes(100 + i, lengths[i]), readAll(recipient, p), "part " + i);
    }
    // 1 message block + 1 leaf for each of the 5 parts up to 48 KiB + (2 leaves + 1 interior)
    // + (65 leaves + 1 interior) for the part of 3 MiB and 77 bytes.
    assertEquals(1 + 5 + 3 + 66, stored.blocks());
    assertEquals(stored.blocks(), senderPast.inserts);
  }

  private static MessageRef assertDoesNotThrowDecode(byte[] encoded) {
    try {
      return MessageRef.decode(encoded);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void openingAMessageReadsTheMessageBlockOnlyAndAnOrdinaryMessageIsThreeObjects() {
    StoredMessage stored =
        ring.await(
            sender.store(
                List.of(part(PartRole.HEADER, "", 1, 900), part(PartRole.BODY, "1", 2, 4_100))));
    assertEquals(3, stored.blocks(), "message block, header leaf, body leaf");
    recipientPast.reset();
    OpenedMessage opened = ring.await(recipient.open(stored.ref()));
    assertEquals(1, recipientPast.lookups, "listing the parts fetches the message block only");
    assertEquals(PartRole.HEADER, opened.parts().get(0).role());
    assertEquals(5_000, opened.length());
  }

  @Test
  void aRangedReadFetchesOnlyTheLeavesThatOverlapIt() {
    int length = 3 * 1024 * 1024;
    StoredMessage stored =
        ring.await(
            sender.store(
                List.of(
                    part(PartRole.HEADER, "", 3, 700),
                    new PartInput(PartRole.ATTACHMENT, "2", Content.stream(4, length), length))));
    PartInfo attachment = ring.await(recipient.open(stored.ref())).parts().get(1);

    recipientPast.reset();
    byte[] got = ring.await(recipient.read(attachment.ref(), 1_000_000, 4_096));
    assertArrayEquals(Content.range(4, 1_000_000, 4_096), got);
    assertEquals(2, recipientPast.lookups, "the interior block and the one leaf holding the range");

    recipientPast.reset();
    long across = 10L * Blocks.LEAF - 100;
    got = ring.await(recipient.read(attachment.ref(), across, 200));
    assertArrayEquals(Content.range(4, across, 200), got);
    assertEquals(3, recipientPast.lookups, "the interior block and the two leaves the range spans");

    recipientPast.reset();
    got = ring.await(recipient.read(attachment.ref(), length - 10, 4_096));
    assertArrayEquals(Content.range(4, length - 10, 10), got, "a range past the end is cut");
    got = ring.await(recipient.read(attachment.ref(), length + 5, 10));
    assertEquals(0, got.length);
  }

  @Test
  void aPartOverThirtyThreeMegabytesIsATwoLevelTreeReadAcrossItsInteriorBoundary() {
    long length = 701L * Blocks.LEAF + 12_345; // 702 leaves: two level-1 blocks under a root
    StoredMessage stored =
        ring.await(
            sender.store(
                List.of(
                    part(PartRole.HEADER, "", 5, 300),
                    PartInput.of(PartRole.ATTACHMENT, "2", Content.stream(6, length)))));
    assertEquals(1 + 1 + 702 + 2 + 1, stored.blocks());
    assertTrue(
        senderPast.maxInsertsInFlight <= StoreConfig.defaults().insertWindow() + Blocks.MAX_LEVEL,
        "inserts in flight stay within the window: " + senderPast.maxInsertsInFlight);
    PartInfo big = ring.await(recipient.open(stored.ref())).parts().get(1);
    assertEquals(ContentKey.Kind.MANIFEST, big.ref().root().kind());

    recipientPast.reset();
    long at = 700L * Blocks.LEAF - 50; // the last leaf under the first level-1 block, and the next
    byte[] got = ring.await(recipient.read(big.ref(), at, 100));
    assertArrayEquals(Content.range(6, at, 100), got);
    assertEquals(1 + 2 + 2, recipientPast.lookups, "root, both level-1 blocks, two leaves");
    got = ring.await(recipient.read(big.ref(), length - 12_345, 12_345));
    assertArrayEquals(Content.range(6, length - 12_345, 12_345), got);
  }

  @Test
  void aMessageOverTheMaximumIsRefusedBeforeAnyInsertWhenItsLengthIsDeclared() {
    long over = (64L << 20) + 1;
    Throwable t =
        ring.failure(
            sender.store(
                List.of(
                    part(PartRole.HEADER, "", 1, 300),
                    new PartInput(PartRole.ATTACHMENT, "2", Content.stream(2, over), over))));
    StoreException.MessageTooLargeException e =
        assertInstanceOf(StoreException.MessageTooLargeException.class, t);
    assertFalse(e.retryable());
    assertEquals(64L << 20, e.maxBytes());
    assertTrue(e.getMessage().contains("maximum"), e.getMessage());
    assertEquals(0, senderPast.inserts, "nothing was inserted");
  }

  @Test
  void aStreamOfUnknownLengthIsStoppedAsSoonAsItPassesTheMaximum() {
    MessageStore small =
        ring.store(
            senderNode,
            ring.owner(senderNode),
            new MemoryLeaseLedger(),
            StoreConfig.defaults().withMaxMessageBytes(200_000));
    long before = ring.heldObjects();
    Throwable t =
        ring.failure(
            small.store(
                List.of(PartInput.of(PartRole.ATTACHMENT, "1", Content.stream(9, 5_000_000)))));
    assertInstanceOf(StoreException.MessageTooLargeException.class, t);
    long leavesStored = (ring.heldObjects() - before) / 5;
    assertTrue(leavesStored <= 5, "stopped after about 200 KB, not 5 MB: " + leavesStored);
  }

  @Test
  void aStreamShorterThanDeclaredFailsAsBadInput() {
    Throwable t =
        ring.failure(
            sender.store(
                List.of(new PartInput(PartRole.BODY, "1", Content.stream(3, 1_000), 2_000))));
    assertInstanceOf(StoreException.PartInputException.class, t);
    assertFalse(((StoreException) t).retryable());
  }

  @Test
  void storingTheSameMessageAgainGivesTheSameReferenceAndNoNewObjects() {
    List<PartInput> parts =
        List.of(part(PartRole.HEADER, "", 1, 800), part(PartRole.BODY, "1", 2, 60_000));
    StoredMessage first = ring.await(sender.store(parts));
    ring.sim.runFor(60_000);
    long objects = ring.heldObjects();
    StoredMessage again =
        ring.await(
            sender.store(
                List.of(part(PartRole.HEADER, "", 1, 800), part(PartRole.BODY, "1", 2, 60_000))));
    ring.sim.runFor(60_000);
    assertEquals(first.ref(), again.ref());
    assertEquals(objects, ring.heldObjects());
  }

  @Test
  void aWrongKeyIsCorruptAndAnUnknownMessageIsNotFound() {
    StoredMessage stored = ring.await(sender.store(List.of(part(PartRole.BODY, "1", 7, 2_000))));
    ContentKey good = stored.ref().block();
    byte[] key = good.key();
    key[0] ^= 1;
    MessageRef forged = new MessageRef(new ContentKey(good.id(), key, good.kind(), good.length()));
    Throwable t = ring.failure(recipient.open(forged));
    assertInstanceOf(StoreException.CorruptMessageException.class, t);
    assertFalse(((StoreException) t).retryable());
    assertEquals(1, recipient.statistics().corruptBlocks());

    // A message the sender's other secret would have made, never stored.
    ConvergentEncryption other = ring.owner(senderNode);
    MessageRef absent = new MessageRef(other.encryptBlock(new byte[] {1, 2, 3}).key());
    t = ring.failure(recipient.open(absent));
    assertInstanceOf(StoreException.MessageNotFoundException.class, t);
    assertFalse(((StoreException) t).retryable());
  }

  @Test
  void aStoppedRingIsUnavailableAndRetryable() {
    ring.pasts.get(senderNode).stop();
    Throwable t = ring.failure(sender.store(List.of(part(PartRole.BODY, "1", 7, 2_000))));
    assertInstanceOf(StoreException.StoreUnavailableException.class, t);
    assertTrue(((StoreException) t).retryable());
    assertTrue(t.getMessage().contains("retry"), t.getMessage());
  }

  @Test
  void aReaderPastTheEndReturnsNull() {
    StoredMessage stored = ring.await(sender.store(List.of(part(PartRole.BODY, "1", 7, 100))));
    PartInfo p = ring.await(recipient.open(stored.ref())).parts().get(0);
    PartReader r = recipient.reader(p.ref(), 100, 10);
    assertNull(ring.await(r.next()));
  }
}
