package org.epost.simulator.mail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.simulator.churn.ByzantineStore;
import org.junit.jupiter.api.Test;

/**
 * Replicas held by different simulated stores share one array (ADR 0135), while each store still
 * counts, serves and (if byzantine) corrupts its own copy.
 */
class SharedBytesStoreTest {
  private static byte[] block(long seed) {
    byte[] b = new byte[4096];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  @Test
  void equalCopiesShareOneArrayAndEachStoreCountsItsOwn() {
    SharedBytesStore.Pool pool = new SharedBytesStore.Pool();
    MemoryObjectStore a = new MemoryObjectStore(1 << 20);
    MemoryObjectStore b = new MemoryObjectStore(1 << 20);
    SharedBytesStore sa = new SharedBytesStore(a, pool);
    SharedBytesStore sb = new SharedBytesStore(b, pool);
    byte[] content = block(1);
    // each replica decodes its own copy of the bytes from its own frame
    sa.put(PastObject.immutable(content, 1_000));
    PastObject second = PastObject.immutable(content, 2_000);
    sb.put(second);
    assertSame(sa.get(second.id()).bytesUnsafe(), sb.get(second.id()).bytesUnsafe());
    assertEquals(1, pool.sharedCopies());
    assertEquals(4096, sa.usedBytes());
    assertEquals(4096, sb.usedBytes());
    assertEquals(2_000, sb.get(second.id()).expiryMillis());
    // other bytes are never shared
    PastObject other = PastObject.immutable(block(2), 1_000);
    sb.put(other);
    assertNotSame(sa.get(second.id()).bytesUnsafe(), sb.get(other.id()).bytesUnsafe());
    assertEquals(1, pool.sharedCopies());
  }

  @Test
  void aCorruptingStoreCorruptsWhatItServesNotTheSharedArray() {
    SharedBytesStore.Pool pool = new SharedBytesStore.Pool();
    SharedBytesStore honest = new SharedBytesStore(new MemoryObjectStore(1 << 20), pool);
    SharedBytesStore liar =
        new SharedBytesStore(
            new ByzantineStore(new MemoryObjectStore(1 << 20), ByzantineStore.Behaviour.CORRUPT),
            pool);
    byte[] content = block(3);
    PastObject o = PastObject.immutable(content, 1_000);
    honest.put(o);
    liar.put(PastObject.immutable(content, 1_000));
    assertFalse(liar.get(o.id()).isValid());
    assertFalse(liar.get(o.id()).isValid());
    assertArrayEquals(content, honest.get(o.id()).bytes());
    assertEquals(o.id(), honest.get(o.id()).verify().id());
  }
}
