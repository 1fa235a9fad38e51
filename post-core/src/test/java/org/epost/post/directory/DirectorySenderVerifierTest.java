package org.epost.post.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.VerificationException;
import org.epost.post.notify.DirectorySenderVerifier;
import org.epost.post.notify.SenderVerifier;
import org.junit.jupiter.api.Test;

/**
 * The notification service's sender check through the real directory on a simulated PAST ring: an
 * enrolled sender's certificate comes back, a key that is not the address's and an address that is
 * not enrolled are refused as forged, and each refusal is counted by the directory.
 */
class DirectorySenderVerifierTest {
  @Test
  void enrolledSendersPassForgedOnesAreRefusedAndCounted() {
    DirectoryRing ring = new DirectoryRing(51).build(16);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), "alice@example.org");
    DirectoryRing.Enrolled bob = ring.enrol(ring.node(5), "bob@example.org");
    UserDirectory bobsDirectory = ring.directory(bob.node());
    SenderVerifier verifier = new DirectorySenderVerifier(bobsDirectory);

    UserCertificate cert =
        ring.await(
            verifier.verifySender("alice@example.org", alice.identity().signing().publicKey()));
    assertEquals("alice@example.org", cert.address());
    assertEquals(alice.identity().encryption().publicKey(), cert.encryptionKey());

    long forgedBefore = bobsDirectory.status().sendersForged();
    Throwable wrongKey =
        ring.failure(
            verifier.verifySender("alice@example.org", bob.identity().signing().publicKey()));
    assertInstanceOf(VerificationException.class, wrongKey);
    assertTrue(wrongKey.getMessage().contains("FORGED"), wrongKey.getMessage());
    Throwable unknown =
        ring.failure(
            verifier.verifySender("mallory@example.org", bob.identity().signing().publicKey()));
    assertInstanceOf(VerificationException.class, unknown);
    assertEquals(forgedBefore + 2, bobsDirectory.status().sendersForged());
  }
}
