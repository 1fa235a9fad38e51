package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.epost.imap.api.MessageRecord;
import org.junit.jupiter.api.Test;

/**
 * One session's \Recent UIDs as claimed from the server-wide mark: those above the mark at each
 * claim, counted while they stay in the mailbox.
 */
class RecentUidsTest {
  private static List<MessageRecord> uids(long... uids) {
    List<MessageRecord> out = new ArrayList<>();
    for (long u : uids) {
      out.add(new MessageRecord(u, 10, Instant.EPOCH, Set.of(), 1));
    }
    return out;
  }

  @Test
  void theUidsAboveEachClaimsMarkAreRecentAndCountedUntilExpunged() {
    RecentUids r = new RecentUids();
    r.addAbove(uids(1, 2, 5, 7, 9), 2); // another session had 1 and 2
    assertEquals(3, r.count());
    assertFalse(r.contains(2));
    assertTrue(r.contains(5) && r.contains(7) && r.contains(9));

    r.addAbove(uids(10, 11), 9); // nobody claimed in between: one range
    r.addAbove(uids(12, 14, 15), 14); // another session had 12..14
    assertEquals(6, r.count());
    assertTrue(r.contains(10) && r.contains(11) && r.contains(15));
    assertFalse(r.contains(12) || r.contains(14) || r.contains(16) || r.contains(0));

    r.expunged(7);
    r.expunged(12); // not recent here: the count stays
    assertEquals(5, r.count());

    r.addAbove(uids(15, 16), 0); // a UID already marked is not counted twice
    assertEquals(6, r.count());
    assertTrue(r.contains(16));
  }

  @Test
  void aMailboxOfManyRecentMessagesIsOneRangeAtAnyScale() {
    RecentUids r = new RecentUids();
    List<MessageRecord> many = new ArrayList<>();
    for (long u = 1; u <= 100_000; u++) {
      many.add(new MessageRecord(u, 10, Instant.EPOCH, Set.of(), 1));
    }
    r.addAbove(many, 0);
    assertEquals(100_000, r.count());
    assertTrue(r.contains(1) && r.contains(50_000) && r.contains(100_000));
    assertFalse(r.contains(100_001));
  }
}
