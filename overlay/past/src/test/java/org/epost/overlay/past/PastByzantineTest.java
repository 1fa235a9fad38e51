package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.junit.jupiter.api.Test;

/**
 * A quarter of the storers lie (corrupt bytes or claim without storing): readers still only get
 * right objects.
 */
class PastByzantineTest {

  /** Test fixture: a store that serves flipped bytes, or acknowledges and keeps nothing. */
  static final class LyingStore implements ObjectStore {
    final MemoryObjectStore inner = new MemoryObjectStore(64L << 20);
    final boolean corrupt;

    LyingStore(boolean corrupt) {
      this.corrupt = corrupt;
    }

    @Override
    public PutResult put(PastObject o) {
      return corrupt ? inner.put(o) : PutResult.STORED;
    }

    @Override
    public PastObject get(Id id) {
      PastObject o = inner.get(id);
      if (o == null) {
        return null;
      }
      byte[] b = o.bytes();
      b[0] ^= 1;
      return PastObject.unverified(o.kind(), id, b, o.expiryMillis());
    }

    @Override
    public boolean setExpiry(Id id, long e) {
      return true;
    }

    @Override
    public boolean delete(Id id) {
      return inner.delete(id);
    }

    @Override
    public List<Entry> entries() {
      return inner.entries();
    }

    @Override
    public long usedBytes() {
      return inner.usedBytes();
    }

    @Override
    public long quotaBytes() {
      return inner.quotaBytes();
    }
  }

  @Test
  void byzantineStorersNeverMakeAReaderAcceptAWrongObject() {
    SplittableRandom pick = new SplittableRandom(4);
    List<LyingStore> liars = new ArrayList<>();
    PastRing ring =
        new PastRing(
            21,
            PastRing.testConfig(),
            n -> {
              if (pick.nextInt(4) == 0) {
                LyingStore s = new LyingStore(pick.nextBoolean());
                liars.add(s);
                return s;
              }
              return new MemoryObjectStore(64L << 20);
            });
    ring.build(60);
    List<PastObject> objs = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(8);
    for (int i = 0; i < 40; i++) {
      byte[] b = new byte[3000];
      r.nextBytes(b);
      objs.add(PastObject.immutable(b, PastRing.THIRTY_DAYS));
    }
    for (PastObject o : objs) {
      CompletableFuture<Integer> f = ring.randomPast().insert(o).toCompletableFuture();
      ring.sim.runFor(15_000);
      assertTrue(f.isDone());
    }
    ring.sim.runFor(120_000);
    long detected = 0;
    int found = 0;
    for (int round = 0; round < 2; round++) {
      for (PastObject o : objs) {
        CompletableFuture<PastObject> f = ring.randomPast().lookup(o.id()).toCompletableFuture();
        ring.sim.runFor(20_000);
        assertTrue(f.isDone(), "lookup finished");
        if (!f.isCompletedExceptionally()) {
          assertArrayEquals(
              o.bytes(), f.join().bytes(), "a reader only ever gets the object it asked for");
          found++;
        }
      }
    }
    for (var p : ring.pasts.values()) {
      detected += p.statistics().corruptionsDetected();
    }
    assertTrue(!liars.isEmpty());
    assertTrue(found >= objs.size() * 2 * 95 / 100, "found " + found + " of " + objs.size() * 2);
    assertTrue(detected > 0, "corrupted copies were met and detected");
  }
}
