package org.epost.post.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.LogContents;
import org.epost.post.api.LogException;
import org.epost.post.api.LogId;
import org.epost.post.api.LogWriter;
import org.junit.jupiter.api.Test;

/** Appending and reading through a simulated ring of real PAST nodes. */
class SignedLogTest {
  private static final LogConfig SMALL =
      LogConfig.defaults().withTailBytes(2048, 4096).withSnapshots(200, 4);

  @Test
  void aBurstOfAppendsCostsOneHeadWriteAndAnotherNodeReadsItBack() {
    LogRing ring = new LogRing(1).build(24);
    SigningKeyPair alice = LogRing.user(1);
    SignedLogs logs = ring.logs(ring.node(3), alice, "laptop", new MemoryLogLocalState(), SMALL);
    LogRing.ListApp app = new LogRing.ListApp();
    LogWriter inbox = logs.writer("INBOX", app);
    List<CompletionStage<Long>> acks = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] op = LogRing.op(i, 30);
      app.applyLocally(op);
      acks.add(inbox.append(op));
    }
    for (int i = 0; i < 40; i++) {
      assertEquals(i, ring.await(acks.get(i)));
    }
    assertEquals(1, logs.status().headWrites(), "40 flag changes in one burst: one head write");
    assertEquals(0, logs.status().blockWrites(), "they fit the head's inline tail");

    SignedLogs reader = ring.logs(ring.node(17), alice, "phone", new MemoryLogLocalState(), SMALL);
    LogContents c = ring.await(reader.read(inbox.id(), 0));
    assertEquals(40, c.sequence());
    assertEquals(1, c.version());
    assertEquals(app.state.size(), LogRing.replay(c).size());
    for (int i = 0; i < 40; i++) {
      assertArrayEquals(app.state.get(i), LogRing.replay(c).get(i));
    }
  }

  @Test
  void tailFlushesToBlocksSnapshotsBoundTheReadAndIncrementalReadsGetTheDelta() {
    LogRing ring = new LogRing(2).build(24);
    SigningKeyPair alice = LogRing.user(2);
    SignedLogs logs = ring.logs(ring.node(5), alice, "laptop", new MemoryLogLocalState(), SMALL);
    LogRing.ListApp app = new LogRing.ListApp();
    LogWriter w = logs.writer("Archive", app);
    SignedLogs reader = ring.logs(ring.node(9), alice, "laptop", new MemoryLogLocalState(), SMALL);
    long known = 0;
    List<byte[]> mirror = new ArrayList<>();
    for (int round = 0; round < 30; round++) {
      CompletionStage<Long> last = null;
      for (int i = 0; i < 17; i++) {
        byte[] op = LogRing.op(round * 17 + i, 90);
        app.applyLocally(op);
        last = w.append(op);
      }
      ring.await(last);
      LogContents c = ring.await(reader.read(w.id(), known));
      if (c.hasSnapshot()) {
        mirror = LogRing.replay(c);
      } else {
        assertEquals(known, c.fromSequence(), "only the operations after what the reader holds");
        mirror.addAll(c.operations());
      }
      known = c.sequence();
    }
    assertEquals(510, known);
    assertEquals(app.state.size(), mirror.size());
    for (int i = 0; i < mirror.size(); i++) {
      assertArrayEquals(app.state.get(i), mirror.get(i), "operation " + i);
    }
    assertTrue(logs.status().blockWrites() > 0, "the tail was flushed into entry blocks");
    assertTrue(logs.status().snapshotWrites() >= 2, "snapshots every 200 operations");
    assertEquals(30, logs.status().headWrites());

    LogContents fresh = ring.await(reader.read(w.id(), 0));
    assertTrue(fresh.hasSnapshot(), "a new reader starts from the newest snapshot");
    assertTrue(fresh.fromSequence() >= 400);
    assertEquals(510, LogRing.replay(fresh).size());
  }

  @Test
  void aLogNeverWrittenReadsEmptyAndOversizedOperationsAreRefused() {
    LogRing ring = new LogRing(3).build(12);
    SigningKeyPair alice = LogRing.user(3);
    SignedLogs logs = ring.logs(ring.node(2), alice, "laptop", new MemoryLogLocalState(), SMALL);
    LogContents c = ring.await(logs.read(new LogId(alice.publicKey(), "laptop", "Drafts"), 0));
    assertEquals(0, c.sequence());
    assertNull(c.snapshot());
    LogWriter w = logs.writer("Drafts", new LogRing.ListApp());
    Throwable t = ring.failure(w.append(new byte[SMALL.maxOperationBytes() + 1]));
    assertInstanceOf(LogException.LimitExceeded.class, t);
    assertFalse(((LogException) t).retryable());
  }

  @Test
  void notFoundForALogThisNodeKnowsIsUnavailableAndNoNewLogIsStarted() {
    LogRing ring = new LogRing(4).build(30);
    SigningKeyPair alice = LogRing.user(4);
    MemoryLogLocalState local = new MemoryLogLocalState();
    SimulatedNode home = ring.node(0);
    SignedLogs logs = ring.logs(home, alice, "laptop", local, SMALL);
    LogRing.ListApp app = new LogRing.ListApp();
    LogWriter w = logs.writer("INBOX", app);
    for (int i = 0; i < 5; i++) {
      app.applyLocally(LogRing.op(i, 50));
      ring.await(w.append(LogRing.op(i, 50)));
    }
    // A correlated failure takes every holder of the head at once: the nodes that replace them
    // answer, and hold nothing.
    var headId = SignedLogs.headId(w.id());
    for (SimulatedNode n : ring.closest(headId, 8)) {
      if (n != home) {
        ring.fail(n);
      }
    }
    ring.sim.runFor(30_000);
    boolean homeHolds = ring.stores.get(home).get(headId) != null;
    if (!homeHolds) {
      Throwable t = ring.failure(w.append(LogRing.op(99, 50)));
      assertInstanceOf(LogException.Unavailable.class, t, t.toString());
      assertTrue(((LogException) t).retryable());
      Throwable r = ring.failure(logs.read(w.id(), 0));
      assertInstanceOf(LogException.Unavailable.class, r, r.toString());
      for (SimulatedNode n : ring.closest(headId, 5)) {
        assertNull(ring.stores.get(n).get(headId), "no new head was published");
      }
    }
    assertFalse(homeHolds, "the test needs the writer's node outside the head's replica set");
  }
}
