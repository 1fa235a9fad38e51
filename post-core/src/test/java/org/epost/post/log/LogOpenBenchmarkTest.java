package org.epost.post.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.LogContents;
import org.epost.post.api.LogWriter;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (docs/benchmarks.md, "post-core: logs"): opening a 10,000-message folder, operations of
 * about 100 bytes, on a node with an empty cache, on a 100-node simulated ring with the default 100
 * ms-mean latency and the default log configuration. Target: <= 50 objects, <= 3 s simulated.
 * Measured twice: just after a snapshot (10,000 operations) and in the worst case, just before the
 * next one is due (10,999 operations: the longest tail of entry blocks).
 */
class LogOpenBenchmarkTest {
  private static final int OP_BYTES = 100;

  @Test
  void openingATenThousandMessageFolderWithAnEmptyCache() {
    LogRing ring = new LogRing(31).build(100);
    SigningKeyPair alice = LogRing.user(31);
    LogConfig config = LogConfig.defaults();
    SignedLogs logs = ring.logs(ring.node(7), alice, "laptop", new MemoryLogLocalState(), config);
    LogRing.ListApp app = new LogRing.ListApp();
    LogWriter w = logs.writer("INBOX", app);
    long t0 = ring.sim.nowMillis();
    append(ring, w, app, 0, 10_000);
    long writeMillis = ring.sim.nowMillis() - t0;
    long[] best = open(ring, alice, config, w, app, 50);
    append(ring, w, app, 10_000, 999);
    long[] worst = open(ring, alice, config, w, app, 80);
    System.out.printf(
        "post-core logs: open 10,000 ops: %d objects, %d ms simulated; 10,999 ops: %d objects, %d"
            + " ms; writer: %d head writes, %d blocks, %d snapshots, %d ms simulated for 10,000"
            + " appends in bursts of 100%n",
        best[0],
        best[1],
        worst[0],
        worst[1],
        logs.status().headWrites(),
        logs.status().blockWrites(),
        logs.status().snapshotWrites(),
        writeMillis);
    assertTrue(best[0] <= 50 && worst[0] <= 50, "at most 50 objects fetched");
    assertTrue(best[1] <= 3000 && worst[1] <= 3000, "at most 3 s simulated");
  }

  private static void append(LogRing ring, LogWriter w, LogRing.ListApp app, int from, int n) {
    CompletionStage<Long> last = null;
    for (int i = from; i < from + n; i++) {
      byte[] op = LogRing.op(i, OP_BYTES);
      app.applyLocally(op);
      last = w.append(op);
      if ((i + 1) % 100 == 0) {
        ring.await(last);
      }
    }
    ring.await(last);
  }

  /** Opens the log from a fresh node and state; returns {objects fetched, simulated ms}. */
  private static long[] open(
      LogRing ring,
      SigningKeyPair alice,
      LogConfig config,
      LogWriter w,
      LogRing.ListApp app,
      int node) {
    SimulatedNode at = ring.node(node);
    SignedLogs reader = ring.logs(at, alice, "laptop", new MemoryLogLocalState(), config);
    long start = ring.sim.nowMillis();
    LogContents c = ring.await(reader.read(w.id(), 0));
    long millis = ring.sim.nowMillis() - start;
    List<byte[]> all = LogRing.replay(c);
    assertEquals(app.state.size(), all.size());
    for (int i = 0; i < all.size(); i += 97) {
      assertArrayEquals(app.state.get(i), all.get(i));
    }
    return new long[] {reader.status().objectsFetched(), millis};
  }
}
