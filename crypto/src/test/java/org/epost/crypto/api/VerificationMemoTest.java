package org.epost.crypto.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.epost.crypto.testing.TestBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The simulator's memo of verified signatures (ADR 0135): it answers exactly as verification does.
 * Process-wide, so isolated from the other tests of this JVM.
 */
@Isolated
class VerificationMemoTest {
  private final SigningKeyPair owner = SigningKeyPair.generate(TestBytes.seeded(11));
  private final SigningKeyPair other = SigningKeyPair.generate(TestBytes.seeded(12));
  private final byte[] message = "head of INBOX, sequence 7".getBytes(StandardCharsets.UTF_8);

  @AfterEach
  void uninstall() {
    VerificationMemo.uninstall();
  }

  @Test
  void aVerifiedSignatureIsRememberedAndAnsweredAgain() {
    VerificationMemo memo = VerificationMemo.install(16, 1 << 20);
    byte[] sig = owner.sign(message);
    assertTrue(owner.publicKey().verify(message, sig));
    assertTrue(owner.publicKey().verify(message.clone(), sig.clone()));
    assertEquals(1, memo.misses());
    assertEquals(1, memo.hits());
  }

  @Test
  void forgedOrAlteredBytesMissTheMemoAndAreRejected() throws Exception {
    VerificationMemo memo = VerificationMemo.install(16, 1 << 20);
    byte[] sig = owner.sign(message);
    assertTrue(owner.publicKey().verify(message, sig));
    assertFalse(owner.publicKey().verify(TestBytes.flip(message, 3), sig), "altered message");
    assertFalse(owner.publicKey().verify(message, TestBytes.flip(sig, 10)), "altered signature");
    assertFalse(other.publicKey().verify(message, sig), "another key");
    assertFalse(owner.publicKey().verify(message, 0, message.length - 1, sig), "a shorter range");
    assertFalse(owner.publicKey().verify(message, other.sign(message)), "forged by another key");
    // rejections are never remembered: the same forgery is rejected again
    assertFalse(owner.publicKey().verify(message, other.sign(message)));
    assertEquals(0, memo.hits());
    assertEquals(1, memo.size());
  }

  @Test
  void boundedByEntries() {
    VerificationMemo memo = VerificationMemo.install(2, 1 << 20);
    for (int i = 0; i < 5; i++) {
      byte[] m = ("message " + i).getBytes(StandardCharsets.UTF_8);
      assertTrue(owner.publicKey().verify(m, owner.sign(m)));
    }
    assertEquals(2, memo.size());
  }

  @Test
  void aDecodedKeyIsSharedAndAnInvalidOneStillRefused() throws Exception {
    byte[] bad = invalidKey();
    VerificationMemo.install(16, 1 << 20);
    byte[] encoded = owner.publicKey().toBytes();
    SigningPublicKey first = SigningPublicKey.fromBytes(encoded);
    assertSame(first, SigningPublicKey.fromBytes(encoded.clone()));
    assertEquals(owner.publicKey(), first);
    assertThrows(CryptoFormatException.class, () -> SigningPublicKey.fromBytes(bad));
    assertThrows(CryptoFormatException.class, () -> SigningPublicKey.fromBytes(bad));
  }

  /** 32 bytes that are not a point of the curve (found without the memo). */
  private static byte[] invalidKey() {
    for (int y = 2; ; y++) {
      byte[] b = new byte[32];
      b[0] = (byte) y;
      try {
        SigningPublicKey.fromBytes(b);
      } catch (CryptoFormatException e) {
        return b;
      }
    }
  }

  @Test
  void badRangesAreRefusedAsWithoutTheMemo() {
    VerificationMemo.install(16, 1 << 20);
    byte[] sig = owner.sign(message);
    assertFalse(owner.publicKey().verify(message, 5, message.length, sig));
    assertFalse(owner.publicKey().verify(null, 0, 0, sig));
  }
}
