package org.epost.crypto.cert;

import static org.epost.crypto.testing.TestBytes.flip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeCertificate;
import org.epost.crypto.api.NodeId;
import org.epost.crypto.api.NodeIdentity;
import org.epost.crypto.api.RevocationList;
import org.epost.crypto.api.SignedObject;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.testing.TestBytes;
import org.junit.jupiter.api.Test;

class RingAuthorityTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Instant T1 = T0.plus(Duration.ofDays(365));
  private final RingAuthority ca =
      new RingAuthority(SigningKeyPair.generate(TestBytes.seeded(1)), TestBytes.seeded(2));
  private final CertificateVerifier verifier = new CertificateVerifier(ca.publicKey());
  private final UserIdentity alice = UserIdentity.generate(TestBytes.seeded(3));

  private UserCertificate aliceCert() {
    return ca.issueUserCertificate(
        "alice@ring.example", alice.signing().publicKey(), alice.encryption().publicKey(), T0, T1);
  }

  @Test
  void userCertificateRoundTripsAndVerifies() throws Exception {
    UserCertificate cert = UserCertificate.decode(aliceCert().encode());
    assertEquals("alice@ring.example", cert.address());
    assertEquals(alice.signing().publicKey(), cert.signingKey());
    assertEquals(alice.encryption().publicKey(), cert.encryptionKey());
    assertEquals(T0, cert.notBefore());
    assertEquals(T1, cert.notAfter());
    assertTrue(cert.serial() > 0);
    verifier.verify(cert, T0.plusSeconds(10));
  }

  @Test
  void validityPeriodIsEnforced() {
    UserCertificate cert = aliceCert();
    assertTrue(
        assertThrows(VerificationException.class, () -> verifier.verify(cert, T0.minusSeconds(1)))
            .getMessage()
            .contains("not valid before"));
    assertTrue(
        assertThrows(VerificationException.class, () -> verifier.verify(cert, T1.plusSeconds(1)))
            .getMessage()
            .contains("expired"));
  }

  @Test
  void anotherAuthorityIsNotTrusted() {
    RingAuthority other =
        new RingAuthority(SigningKeyPair.generate(TestBytes.seeded(9)), TestBytes.seeded(10));
    UserCertificate forged =
        other.issueUserCertificate(
            "alice@ring.example",
            alice.signing().publicKey(),
            alice.encryption().publicKey(),
            T0,
            T1);
    assertThrows(VerificationException.class, () -> verifier.verify(forged, T0));
  }

  @Test
  void revocationListRevokesAndCannotBeRolledBack() throws Exception {
    UserCertificate cert = aliceCert();
    NodeCertificate node =
        ca.issueNodeCertificate(
            NodeIdentity.generate(TestBytes.seeded(4)).signing().publicKey(), T0, T1);
    RevocationList v1 = ca.issueRevocationList(1, T0, List.of(cert.serial(), node.serial()));
    assertTrue(verifier.update(RevocationList.decode(v1.encode())));
    assertTrue(
        assertThrows(VerificationException.class, () -> verifier.verify(cert, T0))
            .getMessage()
            .contains("revoked"));
    assertThrows(VerificationException.class, () -> verifier.verify(node, T0));

    RevocationList v0 = ca.issueRevocationList(0, T0, List.of());
    assertFalse(verifier.update(v0), "an older list must not replace a newer one");
    assertEquals(1, verifier.revocationVersion());
    assertThrows(VerificationException.class, () -> verifier.verify(cert, T0));

    RevocationList foreign =
        new RingAuthority(SigningKeyPair.generate(TestBytes.seeded(11)), TestBytes.seeded(12))
            .issueRevocationList(99, T0, List.of());
    assertThrows(VerificationException.class, () -> verifier.update(foreign));
  }

  @Test
  void nodeCertificateBindsRandomIdOrDerivedId() throws Exception {
    NodeIdentity n = NodeIdentity.generate(TestBytes.seeded(5));
    NodeCertificate random = ca.issueNodeCertificate(n.signing().publicKey(), T0, T1);
    NodeCertificate derived =
        ca.issueNodeCertificate(n.derivedId(), n.signing().publicKey(), T0, T1);
    assertNotEquals(random.nodeId(), derived.nodeId());
    NodeCertificate decoded = NodeCertificate.decode(derived.encode());
    assertEquals(NodeId.fromPublicKey(n.signing().publicKey()), decoded.nodeId());
    assertEquals(n.signing().publicKey(), decoded.nodeKey());
    verifier.verify(decoded, T0);
  }

  @Test
  void everyBitFlipInEveryCertificateFormatIsDetected() throws Exception {
    byte[][] encodings = {
      aliceCert().encode(),
      ca.issueNodeCertificate(alice.signing().publicKey(), T0, T1).encode(),
      ca.issueRevocationList(3, T0, List.of(5L, 7L, 11L)).encode()
    };
    for (int kind = 0; kind < encodings.length; kind++) {
      byte[] good = encodings[kind];
      for (int bit = 0; bit < good.length * 8; bit++) {
        byte[] bad = flip(good, bit);
        try {
          boolean accepted =
              switch (kind) {
                case 0 -> accepts(UserCertificate.decode(bad));
                case 1 -> accepts(NodeCertificate.decode(bad));
                default -> RevocationList.decode(bad).isSignedBy(ca.publicKey());
              };
          if (accepted) {
            fail("format " + kind + ": flipping bit " + bit + " went undetected");
          }
        } catch (CryptoFormatException expected) {
          // detected as malformed
        }
      }
    }
  }

  private boolean accepts(UserCertificate c) {
    try {
      verifier.verify(c, T0);
      return true;
    } catch (VerificationException e) {
      return false;
    }
  }

  private boolean accepts(NodeCertificate c) {
    try {
      verifier.verify(c, T0);
      return true;
    } catch (VerificationException e) {
      return false;
    }
  }

  @Test
  void oneTypeCannotBeReadAsAnother() {
    byte[] user = aliceCert().encode();
    assertThrows(CryptoFormatException.class, () -> NodeCertificate.decode(user));
    assertThrows(CryptoFormatException.class, () -> RevocationList.decode(user));
    assertThrows(CryptoFormatException.class, () -> SignedObject.decode(user));
  }

  @Test
  void badAddressesAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ca.issueUserCertificate(
                "nobody", alice.signing().publicKey(), alice.encryption().publicKey(), T0, T1));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ca.issueUserCertificate(
                "a@b\r\nX: y",
                alice.signing().publicKey(),
                alice.encryption().publicKey(),
                T0,
                T1));
  }
}
