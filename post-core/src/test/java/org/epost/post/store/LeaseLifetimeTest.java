package org.epost.post.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.MessageStore;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRole;
import org.epost.post.api.StoreException;
import org.epost.post.api.StoredMessage;
import org.junit.jupiter.api.Test;

/**
 * Leases over simulated years (ADR 0101), on a ring of real PAST nodes whose storers collect
 * expired copies on their own wall clocks. The overlay's heartbeat is slowed to ten minutes so that
 * six hundred simulated days take seconds; nothing in the store depends on it.
 */
class LeaseLifetimeTest {
  private static final long DAY = StoreRing.DAY;

  private static StoreRing slowRing(long seed) {
    PastryConfig pastry = new PastryConfig(24, 600_000, 1_500_000, 500, 3_600_000, 5_000);
    return new StoreRing(seed, 8, PastConfig.defaults(), pastry);
  }

  private static List<PartInput> message(long seed) {
    return List.of(
        PartInput.of(PartRole.HEADER, "", Content.bytes(seed, 700)),
        PartInput.of(PartRole.BODY, "1", Content.bytes(seed + 1, 4_000)),
        PartInput.of(PartRole.ATTACHMENT, "2", Content.bytes(seed + 2, 120_000)));
  }

  private static void runDays(StoreRing ring, long days) {
    for (long d = 0; d < days; d++) {
      ring.sim.runFor(DAY);
    }
  }

  @Test
  void anOwnerOfflineForSixMonthsLosesNothingAndADroppedMessageIsCollectedAfterItsLease() {
    StoreRing ring = slowRing(21);
    List<SimulatedNode> nodes = ring.nodes();
    SimulatedNode aliceNode = nodes.get(1);
    SimulatedNode bobNode = nodes.get(5);
    SimulatedNode readerNode = nodes.get(3);
    ConvergentEncryption alice = ring.owner(aliceNode);
    LeaseLedger aliceLedger = new MemoryLeaseLedger(); // survives her node, as a file would
    MessageStore aliceStore = ring.store(aliceNode, alice, aliceLedger);
    LeaseLedger bobLedger = new MemoryLeaseLedger();
    MessageStore bobStore = ring.store(bobNode, ring.owner(bobNode), bobLedger);
    MessageStore reader = ring.store(readerNode, ring.owner(readerNode), new MemoryLeaseLedger());
    long start = ring.sim.wallMillis();

    // Alice sends M1 (her Sent log references it) and M2 to Bob, who files it, then deletes it.
    StoredMessage m1 = ring.await(aliceStore.store(message(1)));
    aliceStore.hold(m1.ref(), m1.expiryWallMillis());
    StoredMessage m2 = ring.await(aliceStore.store(message(10)));
    bobStore.hold(m2.ref(), m2.expiryWallMillis());
    runDays(ring, 10);
    assertTrue(bobStore.release(m2.ref()));

    // Alice is online for 250 days: her sweep renews M1 once it is within 210 days of its end.
    runDays(ring, 240);
    long known = aliceLedger.get(m1.ref()).expiryWallMillis();
    assertTrue(
        known > m1.expiryWallMillis(),
        "the sweep renewed M1 (ledger expiry moved from day 390 to day "
            + (known - start) / DAY
            + ")");
    assertTrue(aliceStore.statistics().blocksRenewed() >= m1.blocks());

    // Alice goes offline for 180 days, past M1's first lease (day 390). Her node is gone.
    aliceStore.stop();
    ring.fail(aliceNode);
    runDays(ring, 140); // day 390
    long dayOfM2Expiry = (m2.expiryWallMillis() - start) / DAY;
    assertEquals(390, dayOfM2Expiry);
    runDays(ring, 2); // day 392: M2's lease ended and nobody renewed it

    Throwable gone = ring.failure(reader.open(m2.ref()));
    assertInstanceOf(StoreException.MessageNotFoundException.class, gone);
    assertEquals(0, ring.copies(Blocks.pastId(m2.ref().block().id())), "no storer keeps M2");
    OpenedMessage stillThere = ring.await(reader.open(m1.ref()));
    assertEquals(3, stillThere.parts().size());

    runDays(ring, 38); // day 430: 180 days after Alice left
    SimulatedNode back = ring.join();
    MessageStore aliceAgain = ring.store(back, alice, aliceLedger);
    ring.sim.runFor(2 * 3_600_000); // her first sweep runs within the hour's jitter
    long renewedAgain = aliceLedger.get(m1.ref()).expiryWallMillis();
    assertTrue(renewedAgain > known, "the returning owner's sweep renewed M1");
    assertTrue(aliceAgain.statistics().renewalFailures() == 0);

    // And the message reads back whole, far past its first and second leases.
    runDays(ring, 200); // day 630
    OpenedMessage opened = ring.await(reader.open(m1.ref()));
    byte[] attachment = ring.await(reader.read(opened.parts().get(2).ref(), 0, 120_000));
    assertArrayEquals(Content.bytes(3, 120_000), attachment);
  }
}
