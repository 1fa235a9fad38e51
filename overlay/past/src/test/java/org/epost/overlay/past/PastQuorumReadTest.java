package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.sim.SimulatedNode;
import org.junit.jupiter.api.Test;

/**
 * A mutable read whose replica set has one member away answers once a read quorum has answered
 * (plus a short grace), not after the whole fetch timeout, and still with the newest version.
 */
class PastQuorumReadTest {
  @Test
  void aMutableReadDoesNotWaitTheFetchTimeoutForAnAwayReplica() {
    PastRing ring = new PastRing(31, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(40);
    SigningKeyPair owner = SigningKeyPair.generate(new SecureRandom(new byte[] {7}));
    byte[] label = "entry".getBytes(StandardCharsets.UTF_8);
    PastObject v1 = PastObject.mutable(owner, label, 1, new byte[] {1}, PastRing.THIRTY_DAYS);
    PastObject v2 = PastObject.mutable(owner, label, 2, new byte[] {2}, PastRing.THIRTY_DAYS);
    assertTrue(run(ring, ring.randomPast().insert(v1).toCompletableFuture()).join() >= 3);
    assertTrue(run(ring, ring.randomPast().insert(v2).toCompletableFuture()).join() >= 3);
    ring.sim.runFor(10_000);

    // One replica of the set is cut off (it runs, its frames are lost).
    Id id = v2.id();
    List<SimulatedNode> replicas = ring.closest(id, ring.config.replicas());
    ring.sim.setCutOff(replicas.get(replicas.size() - 1), true);
    Past reader = null;
    List<SimulatedNode> near = ring.closest(id, 2 * ring.config.replicas());
    for (SimulatedNode n : ring.sim.liveNodes()) {
      if (!near.contains(n) && n.isReady()) {
        reader = ring.pasts.get(n);
        break;
      }
    }
    long t0 = ring.sim.nowMillis();
    CompletableFuture<PastObject> read = reader.lookup(id).toCompletableFuture();
    long took = -1;
    for (int i = 0; i < 1200 && !read.isDone(); i++) {
      ring.sim.runFor(10);
    }
    took = ring.sim.nowMillis() - t0;
    assertTrue(read.isDone());
    assertEquals(2, read.join().sequence(), "the newest version, from a quorum");
    assertTrue(
        took < ring.config.fetchTimeoutMillis(),
        "took " + took + " ms; the fetch timeout is " + ring.config.fetchTimeoutMillis() + " ms");
  }

  private static <T> CompletableFuture<T> run(PastRing ring, CompletableFuture<T> f) {
    for (int i = 0; i < 1200 && !f.isDone(); i++) {
      ring.sim.runFor(100);
    }
    assertTrue(f.isDone());
    return f;
  }
}
