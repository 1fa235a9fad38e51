package org.epost.post.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.EquivocationProof;
import org.epost.crypto.api.SignedObject;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.LogContents;
import org.epost.post.api.LogException;
import org.epost.post.api.LogWriter;
import org.junit.jupiter.api.Test;

/** Storers that roll heads back, drop or alter blocks; an owner that equivocates. */
class ByzantineLogTest {
  private static final LogConfig CONFIG =
      LogConfig.defaults().withTailBytes(1024, 4096).withSnapshots(100, 6);

  /**
   * Test fixture: a storer that keeps every version of a mutable object and can serve the first.
   */
  static final class RollbackStore implements ObjectStore {
    final MemoryObjectStore inner = new MemoryObjectStore(64L << 20);
    final Map<Id, PastObject> oldest = new HashMap<>();
    boolean rollback;

    @Override
    public PutResult put(PastObject o) {
      if (o.kind() == ObjectKind.MUTABLE) {
        oldest.putIfAbsent(o.id(), o);
      }
      return inner.put(o);
    }

    @Override
    public PastObject get(Id id) {
      return rollback && oldest.containsKey(id) ? oldest.get(id) : inner.get(id);
    }

    @Override
    public boolean setExpiry(Id id, long e) {
      return inner.setExpiry(id, e);
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

  /** Test fixture: a storer that serves altered bytes of immutable blocks, or keeps none. */
  static final class LyingStore implements ObjectStore {
    final MemoryObjectStore inner = new MemoryObjectStore(64L << 20);
    final boolean drop;

    LyingStore(boolean drop) {
      this.drop = drop;
    }

    @Override
    public PutResult put(PastObject o) {
      return drop && o.kind() == ObjectKind.IMMUTABLE ? PutResult.STORED : inner.put(o);
    }

    @Override
    public PastObject get(Id id) {
      PastObject o = inner.get(id);
      if (o == null || o.kind() == ObjectKind.MUTABLE) {
        return o;
      }
      byte[] b = o.bytes();
      b[b.length / 2] ^= 0x40;
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

  private static void appendAll(LogRing ring, LogWriter w, LogRing.ListApp app, int from, int n) {
    CompletionStage<Long> last = null;
    for (int i = from; i < from + n; i++) {
      byte[] op = LogRing.op(i, 80);
      app.applyLocally(op);
      last = w.append(op);
      if ((i - from) % 7 == 6) {
        ring.await(last);
      }
    }
    ring.await(last);
  }

  @Test
  void storersServingAnOldHeadAreCaughtByAReaderThatSawANewerOne() {
    List<RollbackStore> all = new ArrayList<>();
    LogRing ring =
        new LogRing(
                21,
                n -> {
                  RollbackStore s = new RollbackStore();
                  all.add(s);
                  return s;
                })
            .build(24);
    SigningKeyPair alice = LogRing.user(21);
    LogRing.ListApp app = new LogRing.ListApp();
    LogWriter w =
        ring.logs(ring.node(2), alice, "laptop", new MemoryLogLocalState(), CONFIG)
            .writer("INBOX", app);
    appendAll(ring, w, app, 0, 3);
    SignedLogs reader =
        ring.logs(ring.node(13), alice, "laptop", new MemoryLogLocalState(), CONFIG);
    LogContents seen = ring.await(reader.read(w.id(), 0));
    appendAll(ring, w, app, 3, 30);
    assertEquals(33, ring.await(reader.read(w.id(), seen.sequence())).sequence());

    // One storer of five serving its oldest head changes nothing: the read quorum's highest wins.
    Id headId = SignedLogs.headId(w.id());
    SimulatedNode liar = ring.closest(headId, 5).get(0);
    ((RollbackStore) ring.stores.get(liar)).rollback = true;
    assertEquals(33, ring.await(reader.read(w.id(), 0)).sequence());

    // Every storer of the head serves its oldest version: the reader refuses to go back.
    for (RollbackStore s : all) {
      s.rollback = true;
    }
    Throwable t = ring.failure(reader.read(w.id(), 0));
    assertInstanceOf(LogException.RolledBack.class, t, t.toString());
    LogException.RolledBack rb = (LogException.RolledBack) t;
    assertTrue(rb.served() < rb.highWater(), rb.getMessage());
    assertEquals(1, reader.status().rollbacksRejected());
    assertTrue(rb.retryable());
    // ... and so does the writer: it never builds on the old head (it republishes its own newer).
    for (RollbackStore s : all) {
      s.rollback = false;
    }
    assertEquals(
        33, ring.await(reader.read(w.id(), 0)).sequence(), "honest storers: back to normal");
  }

  @Test
  void anEquivocatingOwnerIsProvenAndTheProofIsKept() {
    LogRing ring = new LogRing(22).build(24);
    SigningKeyPair alice = LogRing.user(22);
    LogRing.ListApp app = new LogRing.ListApp();
    LogWriter w =
        ring.logs(ring.node(4), alice, "laptop", new MemoryLogLocalState(), CONFIG)
            .writer("INBOX", app);
    appendAll(ring, w, app, 0, 5);
    MemoryLogLocalState readerDisk = new MemoryLogLocalState();
    SignedLogs reader = ring.logs(ring.node(14), alice, "laptop", readerDisk, CONFIG);
    LogContents seen = ring.await(reader.read(w.id(), 0));

    // Test-only code holding the owner's key signs a second head with the same version (another
    // wall time) and puts it on every storer of the head.
    Id headId = SignedLogs.headId(w.id());
    PastObject real = ring.await(ring.pasts.get(ring.node(1)).lookup(headId));
    SignedObject realSigned;
    try {
      realSigned = SignedObject.decode(real.bytes());
    } catch (org.epost.crypto.api.CryptoException e) {
      throw new AssertionError(e);
    }
    Head h = SignedLogs.decodeHead(w.id(), realSigned);
    Head other =
        new Head(
            h.version(),
            h.device(),
            h.session(),
            h.wallMillis() + 1,
            h.sequence(),
            h.tip(),
            h.blocks(),
            h.snapshotRoot(),
            h.snapshotSequence(),
            h.tail(),
            null);
    PastObject forged =
        PastObject.mutable(
            alice, w.id().label(), h.version(), other.encodePayload(), real.expiryMillis());
    for (SimulatedNode n : ring.sim.liveNodes()) {
      ObjectStore s = ring.stores.get(n);
      if (s.get(headId) != null) {
        s.delete(headId);
        s.put(forged);
      }
    }
    Throwable t = ring.failure(reader.read(w.id(), seen.sequence()));
    assertInstanceOf(LogException.Equivocated.class, t, t.toString());
    assertFalse(((LogException) t).retryable());
    EquivocationProof proof = ((LogException.Equivocated) t).proof();
    assertEquals(alice.publicKey(), proof.owner());
    assertEquals(1, reader.status().equivocationsProven());
    assertEquals(1, reader.status().proofs().size());
    try {
      EquivocationProof.decode(proof.encode()); // anyone can check it
    } catch (org.epost.crypto.api.CryptoException e) {
      throw new AssertionError(e);
    }
    // The proof survives a restart of the reader's node.
    SignedLogs restarted = ring.logs(ring.node(14), alice, "laptop", readerDisk, CONFIG);
    assertEquals(1, restarted.status().proofs().size());
    assertNotNull(restarted.status().proofs().get(0));

    // The honest writer sees the other head at its own version: it refuses to go on.
    Throwable wt = ring.failure(w.append(LogRing.op(99, 80)));
    assertInstanceOf(LogException.Equivocated.class, wt, wt.toString());
  }

  @Test
  void storersThatDropOrAlterBlocksDoNotCorruptWhatAReaderReturns() {
    SplittableRandom pick = new SplittableRandom(5);
    List<LyingStore> liars = new ArrayList<>();
    LogRing ring =
        new LogRing(
                23,
                n -> {
                  if (pick.nextInt(5) == 0) {
                    LyingStore s = new LyingStore(pick.nextBoolean());
                    liars.add(s);
                    return s;
                  }
                  return new MemoryObjectStore(64L << 20);
                })
            .build(40);
    assertTrue(liars.size() >= 4, "a fifth of the storers lie");
    SigningKeyPair alice = LogRing.user(23);
    LogRing.ListApp app = new LogRing.ListApp();
    SimulatedNode home = ring.node(6);
    LogWriter w =
        ring.logs(home, alice, "laptop", new MemoryLogLocalState(), CONFIG).writer("INBOX", app);
    appendAll(ring, w, app, 0, 260);
    int ok = 0;
    for (int r = 0; r < 6; r++) {
      SimulatedNode at = ring.node(10 + 4 * r);
      SignedLogs reader = ring.logs(at, alice, "laptop", new MemoryLogLocalState(), CONFIG);
      try {
        LogContents c = ring.await(reader.read(w.id(), 0));
        List<byte[]> got = LogRing.replay(c);
        assertEquals(260, got.size());
        for (int i = 0; i < 260; i++) {
          assertArrayEquals(app.state.get(i), got.get(i), "operation " + i);
        }
        ok++;
      } catch (java.util.concurrent.CompletionException e) {
        Throwable c = RingAccess.cause(e);
        assertInstanceOf(LogException.class, c, "only typed failures");
        assertTrue(((LogException) c).retryable(), c.toString());
      }
    }
    assertTrue(ok >= 5, "other replicas serve valid copies: " + ok + " of 6 reads complete");
    long skipped = 0;
    for (var p : ring.pasts.values()) {
      skipped += p.statistics().corruptionsDetected();
    }
    assertTrue(skipped > 0, "altered copies were seen and counted");
  }
}
