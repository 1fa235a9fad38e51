package org.epost.post.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.MessageStore;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInfo;
import org.epost.post.api.StoredMessage;
import org.junit.jupiter.api.Test;

/**
 * What a message costs the ring, counted in the replica stores of every node (every copy): a
 * message to ten recipients, who each file it, open it, read it and renew it, costs what it costs
 * to one; and the ring holds the size mix at about k times its raw bytes.
 */
class SingleCopyCostTest {
  /** Ring-wide objects and bytes after sending the size mix to {@code recipients} recipients. */
  static long[] send(int recipients) {
    StoreRing ring = new StoreRing(31, 16);
    List<SimulatedNode> nodes = ring.nodes();
    SimulatedNode senderNode = nodes.get(0);
    MessageStore sender = ring.store(senderNode, ring.owner(senderNode), new MemoryLeaseLedger());
    List<MessageStore> readers = new ArrayList<>();
    for (int r = 0; r < recipients; r++) {
      SimulatedNode n = nodes.get(1 + r);
      readers.add(ring.store(n, ring.owner(n), new MemoryLeaseLedger()));
    }
    long before = ring.heldBytes();
    long raw = 0;
    for (int i = 0; i < 20; i++) {
      StoredMessage m = ring.await(sender.store(SizeMix.message(i)));
      raw += m.plainBytes();
      sender.hold(m.ref(), m.expiryWallMillis()); // the Sent folder
      for (MessageStore reader : readers) {
        reader.hold(m.ref(), 0); // expiry unknown: the recipient's next sweep renews it
        OpenedMessage opened = ring.await(reader.open(m.ref()));
        PartInfo last = opened.parts().get(opened.parts().size() - 1);
        byte[] tail = ring.await(reader.read(last.ref(), Math.max(0, last.length() - 100), 100));
        assertEquals(Math.min(100, last.length()), tail.length);
      }
    }
    for (MessageStore reader : readers) {
      assertTrue(ring.await(reader.sweep()) == 20, "each recipient renewed the 20 messages");
    }
    ring.sim.runFor(3 * 3_600_000); // let repair and maintenance settle
    return new long[] {ring.heldObjects(), ring.heldBytes() - before, raw};
  }

  @Test
  void tenRecipientsCostWhatOneCostsAndTheMixIsStoredAtAboutFiveTimesItsBytes() {
    long[] one = send(1);
    long[] ten = send(10);
    assertEquals(one[2], ten[2]);
    assertEquals(one[0], ten[0], "the same objects are held");
    double ratio = (double) ten[1] / one[1];
    assertTrue(ratio <= 1.1, "10 recipients cost " + ratio + " x one recipient");
    double overhead = (double) one[1] / one[2];
    assertTrue(overhead >= 5.0 && overhead <= 5.5, "overhead at k = 5: " + overhead);
  }

  @Test
  void aMessageStoredTwiceBySeparateSendsIsHeldOnce() {
    StoreRing ring = new StoreRing(32, 10);
    SimulatedNode node = ring.nodes().get(0);
    MessageStore sender = ring.store(node, ring.owner(node), new MemoryLeaseLedger());
    StoredMessage first = ring.await(sender.store(SizeMix.message(18)));
    ring.sim.runFor(600_000);
    long held = ring.heldBytes();
    StoredMessage second = ring.await(sender.store(SizeMix.message(18)));
    ring.sim.runFor(600_000);
    assertEquals(first.ref(), second.ref());
    assertEquals(held, ring.heldBytes());
    assertArrayEquals(first.ref().encode(), second.ref().encode());
  }
}
