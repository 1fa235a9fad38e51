package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.past.api.PastObject;
import org.junit.jupiter.api.Test;

class PastCodecTest {
  private static final Id ID = Id.fromHex("0123456789abcdef0123456789abcdef01234567");
  private static final PastObject OBJ = PastObject.immutable(new byte[] {1, 2, 3, 4}, 77);
  private static final NodeHandle H = new NodeHandle(ID, Address.virtual(5));

  private static List<PastMessage> samples() {
    BloomFilter f = BloomFilter.forElements(10, 42);
    f.add(ID, 3);
    return List.of(
        new PastMessage.Insert(1, OBJ),
        new PastMessage.Store(2, 12345, OBJ),
        new PastMessage.StoreAck(3, PastMessage.Status.QUOTA, AuditProof.NOT_HELD),
        new PastMessage.OpResult(4, 3, PastMessage.Status.STORED),
        new PastMessage.Lookup(5, ID),
        new PastMessage.Fetch(6, ID),
        new PastMessage.FetchReply(7, ID, OBJ, List.of(H, H)),
        new PastMessage.FetchReply(8, ID, null, List.of()),
        new PastMessage.Renew(9, ID, 99),
        new PastMessage.RenewReplica(10, ID, 100),
        new PastMessage.Sync(ID, Id.ZERO, f),
        new PastMessage.Offer(List.of(ID), new long[] {3}),
        new PastMessage.Pull(List.of(ID, Id.ZERO)),
        new PastMessage.StoreAck(3, PastMessage.Status.STORED, AuditProof.of(7, OBJ)),
        new PastMessage.Audit(77, List.of(ID, Id.ZERO), new long[] {0, 4}),
        new PastMessage.AuditReply(
            77, List.of(AuditProof.of(77, OBJ), AuditProof.NOT_HELD, AuditProof.OTHER_VERSION)));
  }

  @Test
  void everyMessageRoundTrips() throws Exception {
    for (PastMessage m : samples()) {
      byte[] encoded = PastCodec.encode(m);
      PastMessage back = PastCodec.decode(encoded);
      assertArrayEquals(encoded, PastCodec.encode(back), m.getClass().getSimpleName());
      assertEquals(m.getClass(), back.getClass());
    }
    assertEquals(
        LookupClient.LOOKUP_LENGTH, PastCodec.encode(new PastMessage.Lookup(1, ID)).length);
    PastMessage.Sync s = (PastMessage.Sync) PastCodec.decode(PastCodec.encode(samples().get(10)));
    assertTrue(s.filter().mightContain(ID, 3));
  }

  @Test
  void aRenewalCarriesItsWallExpiryAcrossTheWire() throws Exception {
    long w = java.time.Instant.parse("2026-03-01T12:00:00.123Z").toEpochMilli();
    PastMessage.Renew renew =
        (PastMessage.Renew) PastCodec.decode(PastCodec.encode(new PastMessage.Renew(9, ID, w)));
    assertEquals(w, renew.expiryMillis());
    PastMessage.RenewReplica replica =
        (PastMessage.RenewReplica)
            PastCodec.decode(PastCodec.encode(new PastMessage.RenewReplica(10, ID, w)));
    assertEquals(w, replica.expiryMillis());
    PastMessage.Insert insert =
        (PastMessage.Insert)
            PastCodec.decode(
                PastCodec.encode(
                    new PastMessage.Insert(1, PastObject.immutable(new byte[] {1, 2}, w))));
    assertEquals(w, insert.object().expiryMillis());
    // The last eight bytes of a renewal are the expiry, big-endian epoch milliseconds.
    byte[] encoded = PastCodec.encode(new PastMessage.Renew(9, ID, w));
    assertEquals(w, ByteBuffer.wrap(encoded, encoded.length - 8, 8).getLong());
  }

  @Test
  void truncatedOrGarbledMessagesRaiseMalformedFrameOnly() {
    SplittableRandom r = new SplittableRandom(3);
    for (PastMessage m : samples()) {
      byte[] encoded = PastCodec.encode(m);
      for (int cut = 0; cut < encoded.length; cut++) {
        byte[] shorter = java.util.Arrays.copyOf(encoded, cut);
        assertThrows(MalformedFrameException.class, () -> PastCodec.decode(shorter));
      }
      for (int i = 0; i < 200; i++) {
        byte[] g = encoded.clone();
        g[r.nextInt(g.length)] = (byte) r.nextInt(256);
        try {
          PastCodec.decode(g);
        } catch (MalformedFrameException expected) {
          // fine: a clear refusal
        }
      }
    }
  }

  @Test
  void hugeLengthsAreRefusedBeforeAllocating() {
    ByteBuffer b = ByteBuffer.allocate(64);
    b.put((byte) 1).put((byte) 2).putLong(1).putLong(2).put((byte) 1);
    ID.write(b);
    b.putLong(0).putInt(Integer.MAX_VALUE);
    assertThrows(
        MalformedFrameException.class,
        () -> PastCodec.decode(java.util.Arrays.copyOf(b.array(), b.position())));
    ByteBuffer offer = ByteBuffer.allocate(8).put((byte) 1).put((byte) 11).putShort((short) 60000);
    assertThrows(MalformedFrameException.class, () -> PastCodec.decode(offer.array()));
    ByteBuffer sync = ByteBuffer.allocate(60);
    sync.put((byte) 1).put((byte) 10);
    ID.write(sync);
    ID.write(sync);
    sync.putLong(0).put((byte) 7).putShort((short) 5000);
    assertThrows(
        MalformedFrameException.class,
        () -> PastCodec.decode(java.util.Arrays.copyOf(sync.array(), sync.position())));
    assertThrows(MalformedFrameException.class, () -> PastCodec.decode(new byte[] {9, 1}));
    ByteBuffer audit =
        ByteBuffer.allocate(16).put((byte) 1).put((byte) 13).putLong(1).putShort((short) 60000);
    assertThrows(
        MalformedFrameException.class,
        () -> PastCodec.decode(java.util.Arrays.copyOf(audit.array(), audit.position())));
    ByteBuffer proof =
        ByteBuffer.allocate(16)
            .put((byte) 1)
            .put((byte) 14)
            .putLong(1)
            .putShort((short) 1)
            .put((byte) 200);
    assertThrows(
        MalformedFrameException.class,
        () -> PastCodec.decode(java.util.Arrays.copyOf(proof.array(), proof.position())));
  }

  @Test
  void aProofDependsOnTheNonceAndTheBytes() {
    PastObject other = PastObject.immutable(new byte[] {1, 2, 3, 5}, 77);
    assertArrayEquals(AuditProof.of(1, OBJ), AuditProof.of(1, OBJ));
    assertTrue(!java.util.Arrays.equals(AuditProof.of(1, OBJ), AuditProof.of(2, OBJ)));
    assertTrue(!java.util.Arrays.equals(AuditProof.of(1, OBJ), AuditProof.of(1, other)));
    assertEquals(AuditProof.LENGTH, AuditProof.of(1, OBJ).length);
  }
}
