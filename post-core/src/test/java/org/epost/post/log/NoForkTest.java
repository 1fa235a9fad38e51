package org.epost.post.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.LogContents;
import org.epost.post.api.LogException;
import org.epost.post.api.LogWriter;
import org.junit.jupiter.api.Test;

/**
 * No fork by accident: a node restored from a backup catches up and continues the log; a second
 * process of the same account (same keys, same device id) refuses and publishes nothing.
 */
class NoForkTest {
  private static final LogConfig CONFIG =
      LogConfig.defaults().withTailBytes(2048, 4096).withSnapshots(60, 4);

  private static void appendAll(LogRing ring, LogWriter w, LogRing.ListApp app, int from, int n) {
    for (int i = from; i < from + n; i++) {
      byte[] op = LogRing.op(i, 70);
      app.applyLocally(op);
      ring.await(w.append(op));
    }
  }

  private static PastObject ringHead(LogRing ring, LogWriter w) {
    SimulatedNode any = ring.node(1);
    return ring.await(ring.pasts.get(any).lookup(SignedLogs.headId(w.id())));
  }

  @Test
  void aNodeRestoredFromABackupCatchesUpThenAppendsAfterTheNewestHead() {
    LogRing ring = new LogRing(11).build(24);
    SigningKeyPair alice = LogRing.user(11);
    MemoryLogLocalState disk = new MemoryLogLocalState();
    SimulatedNode laptop = ring.node(4);
    SignedLogs first = ring.logs(laptop, alice, "laptop", disk, CONFIG);
    LogRing.ListApp app = new LogRing.ListApp();
    LogWriter w = first.writer("INBOX", app);
    appendAll(ring, w, app, 0, 20);
    MemoryLogLocalState backup = disk.copy(); // the nightly backup: 20 operations
    LogRing.ListApp backupApp = new LogRing.ListApp();
    backupApp.state.addAll(app.state);
    appendAll(ring, w, app, 20, 75); // 95 operations, snapshots and blocks since the backup
    // The laptop's disk dies; hours later it is restored from the backup, a new session.
    ring.sim.runFor(CONFIG.takeoverQuietMillis());
    SignedLogs restored = ring.logs(laptop, alice, "laptop", backup, CONFIG);
    LogWriter w2 = restored.writer("INBOX", backupApp);
    byte[] next = LogRing.op(95, 70);
    long n = ring.await(w2.append(next));
    assertEquals(95, n, "the restored writer appends after the newest head, not after its backup");
    assertEquals(1, backupApp.catchUps, "it caught up first");
    backupApp.applyLocally(next);
    app.applyLocally(next);
    SignedLogs reader =
        ring.logs(ring.node(15), alice, "laptop", new MemoryLogLocalState(), CONFIG);
    LogContents c = ring.await(reader.read(w.id(), 0));
    List<byte[]> all = LogRing.replay(c);
    assertEquals(96, all.size());
    for (int i = 0; i < 96; i++) {
      assertArrayEquals(app.state.get(i), all.get(i), "operation " + i);
      assertArrayEquals(app.state.get(i), backupApp.state.get(i), "caught-up operation " + i);
    }
    assertEquals(0, reader.status().equivocationsProven());
  }

  @Test
  void aCleanlyStoppedNodeRestartsAndWritesAtOnce() {
    LogRing ring = new LogRing(12).build(20);
    SigningKeyPair alice = LogRing.user(12);
    MemoryLogLocalState disk = new MemoryLogLocalState();
    SimulatedNode laptop = ring.node(2);
    LogRing.ListApp app = new LogRing.ListApp();
    SignedLogs s1 = ring.logs(laptop, alice, "laptop", disk, CONFIG);
    LogWriter w = s1.writer("Sent", app);
    appendAll(ring, w, app, 0, 3);
    ring.await(w.close());
    SignedLogs s2 = ring.logs(laptop, alice, "laptop", disk, CONFIG);
    LogWriter w2 = s2.writer("Sent", app);
    assertEquals(3, ring.await(w2.append(LogRing.op(3, 70))));
    assertEquals(0, app.catchUps);
  }

  @Test
  void aCrashedNodeWaitsForTheQuietPeriodBeforeTakingOver() {
    LogRing ring = new LogRing(13).build(20);
    SigningKeyPair alice = LogRing.user(13);
    MemoryLogLocalState disk = new MemoryLogLocalState();
    SimulatedNode laptop = ring.node(2);
    LogRing.ListApp app = new LogRing.ListApp();
    LogWriter w = ring.logs(laptop, alice, "laptop", disk, CONFIG).writer("Sent", app);
    appendAll(ring, w, app, 0, 3);
    // no close(): a crash. Its restart cannot tell itself from a copy of its data directory.
    LogWriter w2 = ring.logs(laptop, alice, "laptop", disk, CONFIG).writer("Sent", app);
    Throwable t = ring.failure(w2.append(LogRing.op(3, 70)));
    assertInstanceOf(LogException.WriterConflict.class, t);
    assertTrue(t.getMessage().contains("did not stop cleanly"), t.getMessage());
    ring.sim.runFor(CONFIG.takeoverQuietMillis());
    assertEquals(3, ring.await(w2.append(LogRing.op(3, 70))));
  }

  @Test
  void aSecondProcessOfTheSameAccountRefusesAndNeverPublishesACompetingHead() {
    LogRing ring = new LogRing(14).build(24);
    SigningKeyPair alice = LogRing.user(14);
    SimulatedNode a = ring.node(3);
    SimulatedNode b = ring.node(18);
    LogRing.ListApp appA = new LogRing.ListApp();
    SignedLogs procA = ring.logs(a, alice, "laptop", new MemoryLogLocalState(), CONFIG);
    LogWriter wa = procA.writer("INBOX", appA);
    appendAll(ring, wa, appA, 0, 10);
    PastObject before = ringHead(ring, wa);

    // The same user's keys and device id in a second process, on another node, with its own
    // (empty) state: a copied key file and configuration.
    LogRing.ListApp appB = new LogRing.ListApp();
    SignedLogs procB = ring.logs(b, alice, "laptop", new MemoryLogLocalState(), CONFIG);
    LogWriter wb = procB.writer("INBOX", appB);
    Throwable t = ring.failure(wb.append(LogRing.op(1000, 70)));
    assertInstanceOf(LogException.WriterConflict.class, t, t.toString());
    assertFalse(((LogException) t).retryable());
    assertTrue(t.getMessage().contains("another process of this account"), t.getMessage());
    assertEquals(1, procB.status().writerConflicts());
    assertEquals(0, procB.status().headWrites(), "the second process published nothing");
    assertEquals(before, ringHead(ring, wa), "the ring's head is still the first process's");

    // The first process goes on; the second keeps refusing while the first is active.
    appendAll(ring, wa, appA, 10, 5);
    Throwable t2 = ring.failure(wb.append(LogRing.op(1001, 70)));
    assertInstanceOf(LogException.WriterConflict.class, t2);
    SignedLogs reader = ring.logs(ring.node(9), alice, "laptop", new MemoryLogLocalState(), CONFIG);
    LogContents c = ring.await(reader.read(wa.id(), 0));
    assertEquals(15, c.sequence());
    List<byte[]> all = LogRing.replay(c);
    for (int i = 0; i < 15; i++) {
      assertArrayEquals(appA.state.get(i), all.get(i));
    }
    assertEquals(0, reader.status().equivocationsProven() + procA.status().equivocationsProven());
  }

  @Test
  void aWriterWhoseLogWasTakenOverStopsWriting() {
    LogRing ring = new LogRing(15).build(20);
    SigningKeyPair alice = LogRing.user(15);
    LogRing.ListApp appA = new LogRing.ListApp();
    SignedLogs procA = ring.logs(ring.node(1), alice, "laptop", new MemoryLogLocalState(), CONFIG);
    LogWriter wa = procA.writer("INBOX", appA);
    appendAll(ring, wa, appA, 0, 4);
    // A idles past the quiet period; B (same keys and device) takes the log over, catching up.
    ring.sim.runFor(CONFIG.takeoverQuietMillis());
    LogRing.ListApp appB = new LogRing.ListApp();
    SignedLogs procB = ring.logs(ring.node(11), alice, "laptop", new MemoryLogLocalState(), CONFIG);
    LogWriter wb = procB.writer("INBOX", appB);
    assertEquals(4, ring.await(wb.append(LogRing.op(4, 70))));
    assertEquals(4, appB.state.size(), "B caught up before appending");
    Throwable t = ring.failure(wa.append(LogRing.op(5, 70)));
    assertInstanceOf(LogException.WriterConflict.class, t);
    assertTrue(t.getMessage().contains("took this log over"), t.getMessage());
    Throwable again = ring.failure(wa.append(LogRing.op(6, 70)));
    assertInstanceOf(LogException.WriterConflict.class, again, "fenced for good");
    assertEquals(0, procA.status().equivocationsProven());
  }
}
