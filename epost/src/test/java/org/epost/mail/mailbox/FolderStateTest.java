package org.epost.mail.mailbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.imap.api.MessageRecord;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.MessageRef;
import org.junit.jupiter.api.Test;

/**
 * MODSEQ in one folder's state as a CONDSTORE/IDLE client uses it: every change has a MODSEQ above
 * the HIGHESTMODSEQ the client was shown before it, the first change of an empty folder included (a
 * client that selected the empty INBOX and idles asks for changes since that HIGHESTMODSEQ).
 */
class FolderStateTest {
  private static StoredMail mail(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return new StoredMail(
        new MessageRef(new ContentKey(BlockId.of(b), new byte[32], ContentKey.Kind.DATA, 10)),
        10,
        new byte[0],
        0);
  }

  private static void add(FolderState f, long uid) {
    Effects fx = new Effects();
    f.applyBytes(Ops.encode(new Ops.Add(uid, 0, Set.of(), mail("m" + uid), new byte[0])), true, fx);
  }

  @Test
  void theFirstMessageOfAnEmptyFolderIsAChangeSinceItsHighestModSeq() {
    FolderState f = new FolderState("inbox", 100);
    long shown = f.highestModSeq();
    assertTrue(shown >= 1, "HIGHESTMODSEQ is a positive number (RFC 7162)");
    add(f, 1);
    assertTrue(f.highestModSeq() > shown);
    assertEquals(List.of(1L), f.changedSince(shown).stream().map(r -> r.uid()).toList());
  }

  @Test
  void everyChangeIsAboveTheHighestModSeqBeforeIt() {
    FolderState f = new FolderState("inbox", 100);
    for (long uid = 1; uid <= 3; uid++) {
      long before = f.highestModSeq();
      add(f, uid);
      assertEquals(
          List.of(uid), f.changedSince(before).stream().map(r -> r.uid()).toList(), "uid " + uid);
      assertEquals(f.highestModSeq(), f.changedSince(before).get(0).modSeq());
    }
  }

  @Test
  void aListingIsSharedUntilTheFolderChangesAndThenShowsTheChange() {
    FolderState f = new FolderState("inbox", 100);
    for (long uid = 1; uid <= 3; uid++) {
      add(f, uid);
    }
    List<MessageRecord> first = f.listing().records();
    assertSame(first, f.listing().records(), "an unchanged folder's listing is not gathered again");
    assertEquals(List.of(1L, 2L, 3L), first.stream().map(MessageRecord::uid).toList());
    assertEquals(1, f.listing().firstUnseen());
    assertEquals(Set.of(), f.listing().keywords());

    Effects fx = new Effects();
    f.applyBytes(
        Ops.encode(new Ops.Flags(0, Set.of("\\Seen"), List.of(new long[] {2, 2}))), true, fx);
    List<MessageRecord> flagged = f.listing().records();
    assertNotSame(first, flagged);
    assertEquals(Set.of("\\Seen"), flagged.get(1).flags());
    assertEquals(f.highestModSeq(), flagged.get(1).modSeq());
    assertSame(first.get(0), flagged.get(0), "an untouched message keeps its record");
    assertEquals(Set.of(), first.get(1).flags(), "a listing already handed out does not change");

    f.applyBytes(Ops.encode(new Ops.Expunge(List.<long[]>of(new long[] {1, 1}))), true, fx);
    assertEquals(List.of(2L, 3L), f.listing().records().stream().map(MessageRecord::uid).toList());
    assertEquals(2, f.listing().firstUnseen(), "message 1 (UID 2) is seen, message 2 is not");
    f.applyBytes(
        Ops.encode(new Ops.Flags(0, Set.of("$Work"), List.of(new long[] {3, 3}))), true, fx);
    assertEquals(Set.of("$Work"), f.listing().keywords());
    add(f, 4);
    assertEquals(
        List.of(2L, 3L, 4L), f.listing().records().stream().map(MessageRecord::uid).toList());
  }
}
