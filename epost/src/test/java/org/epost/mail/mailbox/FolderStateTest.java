package org.epost.mail.mailbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
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
}
