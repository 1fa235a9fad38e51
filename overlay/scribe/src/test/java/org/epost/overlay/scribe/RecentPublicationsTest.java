package org.epost.overlay.scribe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.ScribeMessage.Data;
import org.epost.overlay.scribe.api.TopicId;
import org.junit.jupiter.api.Test;

/** The per-topic memory of recent publications stays within its count, age and byte bounds. */
class RecentPublicationsTest {
  private static final TopicId T = TopicId.named("t");
  private static final NodeHandle P =
      new NodeHandle(Id.fromHex("00000000000000000000000000000000000000aa"), Address.virtual(1));

  private static Data data(long id, int bytes) {
    return new Data(T, id, P, 1, false, new byte[bytes]);
  }

  private static List<Long> ids(Iterable<Data> ds) {
    List<Long> out = new ArrayList<>();
    ds.forEach(d -> out.add(d.publicationId()));
    return out;
  }

  @Test
  void seenIdsAreBoundedAndDuplicatesDetected() {
    RecentPublications r = new RecentPublications();
    for (long i = 0; i < 10_000; i++) {
      assertTrue(r.markSeen(i));
    }
    assertFalse(r.markSeen(9_999), "a recent id is a duplicate");
    assertTrue(
        r.markSeen(0),
        "an id older than the last " + RecentPublications.MAX_SEEN + " is forgotten");
    long[] latest = r.latestSeen(32);
    assertEquals(32, latest.length);
    assertEquals(0, latest[31], "newest last");
  }

  @Test
  void theBufferKeepsTheNewestWithinCountAgeAndTheNodeWideByteBudget() {
    RecentPublications.ByteBudget budget = new RecentPublications.ByteBudget(10_000);
    RecentPublications a = new RecentPublications();
    RecentPublications b = new RecentPublications();
    for (long i = 0; i < 100; i++) {
      a.buffer(data(i, 1_000), i, 4, budget);
    }
    assertEquals(
        List.of(96L, 97L, 98L, 99L), ids(a.missing(new long[0])), "count bound: the newest 4");
    assertEquals(
        List.of(96L, 98L),
        ids(a.missing(new long[] {97, 99})),
        "ids the child lists are not resent");
    assertEquals(4_000, budget.used());
    for (long i = 0; i < 100; i++) {
      b.buffer(data(1_000 + i, 1_000), i, 100, budget);
    }
    assertEquals(10_000, budget.used(), "the node-wide budget caps both topics together");
    assertEquals(6, b.buffered());
    a.expire(1_000, 500, budget);
    assertEquals(0, a.buffered(), "older than the window");
    assertEquals(6_000, budget.used());
    b.clear(budget);
    assertEquals(0, budget.used());
  }
}
