package org.epost.crypto.api;

import static org.epost.crypto.testing.TestBytes.flip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import org.epost.crypto.api.SignedObject.Decision;
import org.epost.crypto.testing.TestBytes;
import org.junit.jupiter.api.Test;

class SignedObjectTest {
  private final SigningKeyPair owner = SigningKeyPair.generate(TestBytes.seeded(1));
  private final SigningKeyPair other = SigningKeyPair.generate(TestBytes.seeded(2));
  private final byte[] inbox = "log:INBOX".getBytes(StandardCharsets.US_ASCII);

  private SignedObject head(SigningKeyPair k, long seq, String payload) {
    return SignedObject.sign(k, inbox, seq, payload.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void roundTrip() throws Exception {
    SignedObject h = head(owner, 7, "entry-id-7");
    SignedObject d = SignedObject.decode(h.encode());
    assertEquals(owner.publicKey(), d.owner());
    assertEquals(7, d.sequence());
    assertArrayEquals(inbox, d.objectId());
    assertEquals("entry-id-7", new String(d.payload(), StandardCharsets.UTF_8));
    assertEquals(h, d);
  }

  @Test
  void onlyHigherSequenceIsAccepted() {
    SignedObject h5 = head(owner, 5, "a");
    assertEquals(Decision.ACCEPT, SignedObject.decide(null, h5));
    assertEquals(Decision.ACCEPT, SignedObject.decide(h5, head(owner, 6, "b")));
    assertEquals(Decision.STALE, SignedObject.decide(h5, head(owner, 4, "z")));
    assertEquals(Decision.DUPLICATE, SignedObject.decide(h5, head(owner, 5, "a")));
    assertEquals(Decision.EQUIVOCATION, SignedObject.decide(h5, head(owner, 5, "b")));
    assertEquals(Decision.FOREIGN, SignedObject.decide(h5, head(other, 9, "x")));
  }

  @Test
  void equivocationProofIsCheckableByAnyone() throws Exception {
    EquivocationProof p = EquivocationProof.of(head(owner, 5, "a"), head(owner, 5, "b"));
    EquivocationProof q = EquivocationProof.decode(p.encode());
    assertEquals(owner.publicKey(), q.owner());
    assertArrayEquals(
        p.encode(), EquivocationProof.of(head(owner, 5, "b"), head(owner, 5, "a")).encode());
  }

  @Test
  void notAnEquivocationIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> EquivocationProof.of(head(owner, 5, "a"), head(owner, 5, "a")));
    assertThrows(
        IllegalArgumentException.class,
        () -> EquivocationProof.of(head(owner, 5, "a"), head(owner, 6, "b")));
    assertThrows(
        IllegalArgumentException.class,
        () -> EquivocationProof.of(head(owner, 5, "a"), head(other, 5, "b")));
  }

  @Test
  void everyBitFlipInSignedObjectIsDetected() {
    byte[] good = head(owner, 5, "entry").encode();
    for (int bit = 0; bit < good.length * 8; bit++) {
      byte[] bad = flip(good, bit);
      try {
        SignedObject.decode(bad);
        fail("bit " + bit + " flipped undetected");
      } catch (CryptoException expected) {
        // detected
      }
    }
  }

  @Test
  void everyBitFlipInEquivocationProofIsDetected() {
    byte[] good = EquivocationProof.of(head(owner, 5, "a"), head(owner, 5, "b")).encode();
    for (int bit = 0; bit < good.length * 8; bit++) {
      try {
        EquivocationProof.decode(flip(good, bit));
        fail("bit " + bit + " flipped undetected");
      } catch (CryptoException expected) {
        // detected
      }
    }
  }

  @Test
  void forgedSignatureIsRejected() {
    byte[] good = head(owner, 5, "a").encode();
    byte[] bad = good.clone();
    bad[bad.length - 1] ^= 0x40;
    assertThrows(VerificationException.class, () -> SignedObject.decode(bad));
  }

  @Test
  void nodeIdIsFirst20BytesOfDomainSeparatedHash() throws Exception {
    NodeId id = NodeId.fromPublicKey(owner.publicKey());
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    sha.update("epost/node-id/v1\0".getBytes(StandardCharsets.US_ASCII));
    byte[] full = sha.digest(owner.publicKey().toBytes());
    assertArrayEquals(java.util.Arrays.copyOf(full, 20), id.toBytes());
    assertEquals(40, id.toString().length());
    assertEquals(id, NodeId.fromBytes(id.toBytes()));
  }
}
