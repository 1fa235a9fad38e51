package org.epost.post.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.MessageStore;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRole;
import org.epost.post.api.StoreException;
import org.epost.post.api.StoredMessage;
import org.junit.jupiter.api.Test;

/** Holds and releases as the owner's logs make them, and the ledger's bound. */
class LeaseLedgerTest {
  @Test
  void holdsAreCountedAndTheLedgerRefusesPastItsBound() {
    StoreRing ring = new StoreRing(41, 6);
    SimulatedNode node = ring.nodes().get(0);
    MemoryLeaseLedger ledger = new MemoryLeaseLedger();
    MessageStore store =
        ring.store(node, ring.owner(node), ledger, StoreConfig.defaults().withMaxLedgerEntries(2));
    StoredMessage a =
        ring.await(store.store(List.of(PartInput.of(PartRole.BODY, "1", Content.bytes(1, 10)))));
    StoredMessage b =
        ring.await(store.store(List.of(PartInput.of(PartRole.BODY, "1", Content.bytes(2, 10)))));
    StoredMessage c =
        ring.await(store.store(List.of(PartInput.of(PartRole.BODY, "1", Content.bytes(3, 10)))));

    store.hold(a.ref(), a.expiryWallMillis());
    store.hold(a.ref(), a.expiryWallMillis()); // filed in a second folder
    store.hold(b.ref(), 0); // expiry unknown
    StoreException.LedgerFullException full =
        assertThrows(StoreException.LedgerFullException.class, () -> store.hold(c.ref(), 0));
    assertFalse(full.retryable());
    assertTrue(full.getMessage().contains("will not be renewed"), full.getMessage());

    // b (unknown expiry) is due first; a is not due at all.
    List<LeaseLedger.Lease> due = ledger.due(ring.sim.wallMillis() + 210 * StoreRing.DAY, 10);
    assertEquals(1, due.size());
    assertEquals(b.ref(), due.get(0).ref());
    assertEquals(1, ring.await(store.sweep()));
    assertTrue(
        ledger.get(b.ref()).expiryWallMillis() > ring.sim.wallMillis() + 389 * StoreRing.DAY);

    assertTrue(store.release(a.ref()));
    assertEquals(1, ledger.get(a.ref()).holds(), "still filed in one folder");
    assertTrue(store.release(a.ref()));
    assertFalse(store.release(a.ref()));
    assertEquals(1, store.statistics().ledgerEntries());
    store.hold(c.ref(), c.expiryWallMillis()); // room again

    store.stop();
    Throwable t = ring.failure(store.sweep());
    assertInstanceOf(StoreException.StoreUnavailableException.class, t);
  }
}
