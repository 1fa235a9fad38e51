package org.epost.imap.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The summary a SELECT reports: worked out from the messages, or given by the backend and checked.
 */
class MailboxSnapshotTest {
  private static MessageRecord m(long uid, String... flags) {
    return new MessageRecord(uid, 10, Instant.EPOCH, Set.of(flags), 1);
  }

  @Test
  void theSummaryIsTheFirstUnseenMessageAndTheKeywordsInUse() {
    MailboxSnapshot s =
        new MailboxSnapshot(
            7, 5, 1, List.of(m(1, "\\Seen"), m(2, "\\Seen", "$Work"), m(4, "Later")), false);
    assertEquals(3, s.firstUnseen());
    assertEquals(Set.of("$Work", "Later"), s.keywords());
    assertEquals(
        0, new MailboxSnapshot(7, 2, 1, List.of(m(1, "\\Seen")), false).firstUnseen(), "all seen");
  }

  @Test
  void aSummaryOutsideTheMailboxIsRefusedAndKeywordsAreBounded() {
    List<MessageRecord> one = List.of(m(1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new MailboxSnapshot(7, 2, 1, one, false, 2, Set.of()));
    List<MessageRecord> many = new ArrayList<>();
    for (int i = 1; i <= MailboxSnapshot.MAX_KEYWORDS + 10; i++) {
      many.add(m(i, "k" + i));
    }
    assertEquals(
        MailboxSnapshot.MAX_KEYWORDS,
        new MailboxSnapshot(7, 1000, 1, many, false).keywords().size());
  }
}
