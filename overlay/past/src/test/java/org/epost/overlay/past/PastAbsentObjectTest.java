package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.junit.jupiter.api.Test;

/**
 * Looking up an object nobody stored (the first write of every new log looks for its head) is
 * answered "not found" as soon as a read quorum of its replica set said so (ADR 0093), not after
 * two more routed attempts 5 s apart: on a healthy ring it takes a few round trips.
 */
class PastAbsentObjectTest {
  @Test
  void anAbsentObjectIsReportedNotFoundWithinRoundTrips() {
    PastRing ring = new PastRing(23, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(30);
    for (int i = 0; i < 10; i++) {
      Id absent = Id.random(ring.sim.random());
      long start = ring.sim.nowMillis();
      CompletableFuture<PastObject> f = ring.randomPast().lookup(absent).toCompletableFuture();
      while (!f.isDone() && ring.sim.nowMillis() - start < 30_000) {
        ring.sim.runFor(10);
      }
      long took = ring.sim.nowMillis() - start;
      assertTrue(f.isDone(), "the lookup of an absent object did not end in 30 s");
      CompletionException e =
          org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, f::join);
      assertInstanceOf(PastException.ObjectNotFoundException.class, e.getCause());
      assertTrue(
          took < 2_000,
          "lookup " + i + " of an absent object answered not found after " + took + " ms");
    }
  }
}
