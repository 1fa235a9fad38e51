package org.epost.post.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.MessageStore;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRole;
import org.epost.post.api.StoredMessage;
import org.epost.post.disk.Direct;
import org.junit.jupiter.api.Test;

/** The ledger on disk: the holds a message store made are there after a crash and a reopen. */
class FileLeaseLedgerTest {
  @Test
  void holdsSurviveACrashAndATornTail() throws Exception {
    Path dir = Direct.dir("leases-");
    StoreRing ring = new StoreRing(43, 6);
    SimulatedNode node = ring.nodes().get(0);
    var loop = node.overlay().environment().scheduler();
    FileLeaseLedger ledger = FileLeaseLedger.open(dir, Runnable::run, loop, 3);
    MessageStore store =
        ring.store(node, ring.owner(node), ledger, StoreConfig.defaults().withMaxLedgerEntries(3));
    StoredMessage a =
        ring.await(store.store(List.of(PartInput.of(PartRole.BODY, "1", Content.bytes(1, 10)))));
    StoredMessage b =
        ring.await(store.store(List.of(PartInput.of(PartRole.BODY, "1", Content.bytes(2, 10)))));
    store.hold(a.ref(), a.expiryWallMillis());
    store.hold(a.ref(), a.expiryWallMillis());
    store.hold(b.ref(), 0);
    store.release(b.ref());
    // crash: nothing closed; a torn append at the end
    Files.write(
        dir.resolve("leases.journal"), new byte[] {0, 0, 0, 113, 9}, StandardOpenOption.APPEND);
    FileLeaseLedger reopened = FileLeaseLedger.open(dir, Runnable::run, loop, 3);
    assertEquals(1, reopened.size());
    assertEquals(2, reopened.get(a.ref()).holds());
    assertEquals(ledger.get(a.ref()).expiryWallMillis(), reopened.get(a.ref()).expiryWallMillis());
    assertNull(reopened.get(b.ref()), "the release survived");
    reopened.put(new LeaseLedger.Lease(b.ref(), 1, 1));
    reopened.put(new LeaseLedger.Lease(a.ref(), 1, 1));
    FileLeaseLedger tiny = FileLeaseLedger.open(Direct.dir("leases-"), Runnable::run, loop, 1);
    tiny.put(new LeaseLedger.Lease(a.ref(), 1, 1));
    assertThrows(IllegalStateException.class, () -> tiny.put(new LeaseLedger.Lease(b.ref(), 1, 1)));
  }
}
