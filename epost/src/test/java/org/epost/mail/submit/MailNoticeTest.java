package org.epost.mail.submit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.mail.api.MailException;
import org.epost.mail.api.MailNotice;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.MessageRef;
import org.junit.jupiter.api.Test;

/** The notification's reference and part summary, and their refusal of malformed input. */
class MailNoticeTest {
  private final MailNotice notice =
      new MailNotice(
          new StoredMail(
              new MessageRef(
                  new ContentKey(
                      BlockId.of(new byte[] {1}), new byte[32], ContentKey.Kind.DATA, 9)),
              4711,
              new byte[] {1, 2, 3},
              123_456L),
          MailNotice.Origin.INTERNET,
          "someone@internet.example",
          "192.0.2.7",
          "<id@x>");

  @Test
  void roundTrips() {
    MailNotice back = MailNotice.decode(notice.reference(), notice.summary());
    assertEquals(notice.mail().ref(), back.mail().ref());
    assertEquals(4711, back.mail().size());
    assertEquals(123_456L, back.mail().expiryWallMillis());
    assertArrayEquals(new byte[] {1, 2, 3}, back.mail().layout());
    assertEquals(MailNotice.Origin.INTERNET, back.origin());
    assertEquals("someone@internet.example", back.envelopeSender());
    assertEquals("192.0.2.7", back.clientAddress());
    assertEquals("<id@x>", back.messageId());
  }

  @Test
  void malformedInputIsCorrupt() {
    byte[] s = notice.summary();
    for (byte[] bad :
        new byte[][] {
          Arrays.copyOf(s, s.length - 1),
          Arrays.copyOf(s, s.length + 1),
          new byte[] {'E', 'P', 'N', 2},
          new byte[0]
        }) {
      MailException e =
          assertThrows(MailException.class, () -> MailNotice.decode(notice.reference(), bad));
      assertEquals(MailException.Kind.CORRUPT, e.kind());
    }
    assertThrows(MailException.class, () -> MailNotice.decode(new byte[5], s));
  }
}
