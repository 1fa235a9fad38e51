package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.api.PastStatistics;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.junit.jupiter.api.Test;

/**
 * Storers that claim to hold what they do not are caught: at insert by the read-back proof, later
 * by audits.
 */
class PastAuditTest {

  @Test
  void claimersNeitherMakeUpAnInsertMajorityNorPassAnAudit() {
    SplittableRandom pick = new SplittableRandom(9);
    Set<SimulatedNode> claimers = new HashSet<>();
    PastRing[] holder = new PastRing[1];
    PastRing ring =
        new PastRing(
            31,
            PastRing.testConfig(),
            n -> {
              if (pick.nextInt(3) == 0) {
                claimers.add(n);
                return new PastByzantineTest.LyingStore(false);
              }
              return new MemoryObjectStore(64L << 20);
            });
    holder[0] = ring;
    ring.build(40);
    SplittableRandom r = new SplittableRandom(3);
    List<PastObject> objs = new ArrayList<>();
    int acknowledgedWithClaimers = 0;
    for (int i = 0; i < 30; i++) {
      byte[] b = new byte[500];
      r.nextBytes(b);
      PastObject o = PastObject.immutable(b, PastRing.THIRTY_DAYS);
      objs.add(o);
      int liarsInSet = 0;
      for (SimulatedNode n : ring.closest(o.id(), 5)) {
        liarsInSet += claimers.contains(n) ? 1 : 0;
      }
      CompletableFuture<Integer> f = honestPast(ring, claimers).insert(o).toCompletableFuture();
      ring.sim.runFor(12_000);
      assertTrue(f.isDone());
      if (!f.isCompletedExceptionally()) {
        // The count of stored replicas never includes a claimer: every one counted is a real copy.
        int real = 0;
        for (SimulatedNode n : ring.closest(o.id(), 12)) {
          real += !claimers.contains(n) && ring.stores.get(n).get(o.id()) != null ? 1 : 0;
        }
        assertTrue(
            f.join() >= 3 && f.join() <= real, "stored " + f.join() + ", real copies " + real);
        acknowledgedWithClaimers += liarsInSet > 0 ? 1 : 0;
      }
    }
    assertTrue(acknowledgedWithClaimers > 0, "some replica sets held claimers");
    ring.sim.runFor(30 * 60_000);
    long audits = 0;
    long caught = 0;
    for (var e : ring.pasts.entrySet()) {
      PastStatistics s = e.getValue().statistics();
      audits += s.auditMessagesSent();
      if (!claimers.contains(e.getKey())) {
        caught += s.auditFailures();
      }
    }
    assertTrue(audits > 0, "neighbours were audited");
    assertTrue(caught > 0, "claimers were caught by honest auditors");
  }

  private static Past honestPast(PastRing ring, Set<SimulatedNode> claimers) {
    for (int i = 0; i < 100; i++) {
      SimulatedNode n = ring.sim.randomReadyNode();
      if (!claimers.contains(n)) {
        return ring.pasts.get(n);
      }
    }
    throw new AssertionError("no honest node");
  }
}
