package org.epost.post.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeHandle;
import org.epost.post.api.NotificationId;
import org.junit.jupiter.api.Test;

/** The pending store's codec: round trips, and bounded, typed failures on bad input. */
class WireTest {
  private final Id inbox = Id.of(1, 2, 3);
  private final byte[] sealed = new byte[900];
  private final Wire.Item item = new Wire.Item(Keys.itemId(sealed), new byte[16], 77, sealed);

  @Test
  void everyMessageRoundTrips() throws Exception {
    NodeHandle h = new NodeHandle(Id.of(4, 5, 6), Address.virtual(9));
    Wire.Msg d = Wire.decode(Wire.deposit(item));
    assertArrayEquals(item.id(), d.item().id());
    assertEquals(77, d.item().expiresAt());
    Wire.Msg r = Wire.decode(Wire.replicate(inbox, item, h));
    assertEquals(inbox, r.inbox());
    assertEquals(h, r.handle());
    assertEquals(5, Wire.decode(Wire.stored(inbox, item.id(), 5, true)).small());
    assertEquals(3, Wire.decode(Wire.refused(inbox, item.id(), 3)).small());
    assertEquals(h, Wire.decode(Wire.fetchForward(inbox, h, new byte[40])).handle());
    Wire.Msg items = Wire.decode(Wire.items(inbox, true, List.of(item, item)));
    assertEquals(2, items.items().size());
    assertEquals(1, items.flag());
    assertEquals(
        2, Wire.decode(Wire.ids(Wire.DIGEST, inbox, List.of(item.id(), item.id()))).ids().size());
  }

  @Test
  void truncatedTrailingOrUnknownInputIsMalformed() {
    byte[] ok = Wire.replicate(inbox, item, null);
    for (int cut = 0; cut < ok.length; cut += 37) {
      byte[] part = Arrays.copyOf(ok, cut);
      assertThrows(MalformedFrameException.class, () -> Wire.decode(part));
    }
    byte[] longer = Arrays.copyOf(ok, ok.length + 1);
    assertThrows(MalformedFrameException.class, () -> Wire.decode(longer));
    assertThrows(MalformedFrameException.class, () -> Wire.decode(new byte[] {1, 99}));
    assertThrows(MalformedFrameException.class, () -> Wire.decode(new byte[] {2, 1}));
  }

  @Test
  void payloadBoundsAreEnforcedOnDecode() {
    NotifyConfig c = NotifyConfig.defaults();
    byte[] big =
        Payload.notification(
                NotificationId.of(new byte[16]),
                "a@b",
                1,
                new byte[c.maxReferenceBytes() + 1],
                new byte[0])
            .encode();
    assertThrows(CryptoFormatException.class, () -> Payload.decode(big, c));
  }
}
