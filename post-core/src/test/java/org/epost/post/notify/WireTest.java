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

  @Test
  void aBatchOfNotificationsRoundTripsAndBadPackingIsRefused() throws Exception {
    NotifyConfig c = NotifyConfig.defaults();
    List<Payload.Entry> entries =
        List.of(
            new Payload.Entry(NotificationId.of(new byte[16]), "ref-1".getBytes(), new byte[3]),
            new Payload.Entry(
                NotificationId.of(Arrays.copyOf(new byte[] {7}, 16)), new byte[0], new byte[70]));
    Payload back = Payload.decode(Payload.batch(entries, "a@b", 9).encode(), c);
    assertEquals(Payload.BATCH, back.kind());
    assertEquals(2, back.entries().size());
    for (int i = 0; i < 2; i++) {
      assertEquals(entries.get(i).id(), back.entries().get(i).id());
      assertArrayEquals(entries.get(i).reference(), back.entries().get(i).reference());
      assertArrayEquals(entries.get(i).summary(), back.entries().get(i).summary());
    }
    // two ids, but the references field packs one entry and stray bytes
    Payload bad =
        new Payload(
            Payload.BATCH,
            back.ids(),
            "a@b",
            9,
            new byte[] {0, 1, 42, 0, 0, 5},
            new byte[] {0, 0, 0, 0});
    assertThrows(CryptoFormatException.class, () -> Payload.decode(bad.encode(), c));
    // an entry over the reference bound
    List<Payload.Entry> over =
        List.of(
            new Payload.Entry(
                NotificationId.of(new byte[16]), new byte[c.maxReferenceBytes() + 1], new byte[0]),
            entries.get(1));
    assertThrows(
        CryptoFormatException.class,
        () -> Payload.decode(Payload.batch(over, "a@b", 9).encode(), c));
    // a batch of one is not a batch
    Payload one =
        new Payload(
            Payload.BATCH, List.of(entries.get(0).id()), "a@b", 9, new byte[2], new byte[2]);
    assertThrows(CryptoFormatException.class, () -> Payload.decode(one.encode(), c));
  }
}
