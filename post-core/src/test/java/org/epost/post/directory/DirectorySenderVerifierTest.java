package org.epost.post.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.VerificationException;
import org.epost.overlay.api.Id;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.DirectoryException;
import org.epost.post.notify.DirectorySenderVerifier;
import org.epost.post.notify.SenderVerifier;
import org.junit.jupiter.api.Test;

/**
 * The notification service's sender check through the real directory on a simulated PAST ring: an
 * enrolled sender's certificate comes back, a key that is not the address's is refused as forged
 * and counted, and an address no quorum found is retryable (never forged).
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
    // An address nobody found is not judged: the notification is kept and checked again.
    Throwable unknown =
        ring.failure(
            verifier.verifySender("mallory@example.org", bob.identity().signing().publicKey()));
    assertInstanceOf(DirectoryException.Unavailable.class, unknown, unknown.toString());
    assertEquals(forgedBefore + 1, bobsDirectory.status().sendersForged());
  }

  /**
   * Issue 14 (1,000 users x 1 day, 30% correlated failure: one acknowledged delivery lost). Every
   * holder of an enrolled sender's entry fails at once (they come back later with their stores);
   * the live replica set answers "not found". A recipient that has not seen the sender before must
   * not call it forged: a forged verdict makes the notification service reject the item and
   * acknowledge it, which deletes every pending copy of a notification the sender saw NOTIFIED.
   */
  @Test
  void anEnrolledSenderWhoseEntryHoldersAllFailedIsNeverForged() {
    DirectoryRing ring = new DirectoryRing(52).build(24);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), "alice@example.org");
    Id id = alice.entry().id();
    ring.sim.runFor(10_000);
    SimulatedNode readerNode = ring.awayFrom(id, 5, 2);
    List<SimulatedNode> holders = ring.closest(id, 5);
    assertTrue(!holders.contains(readerNode));
    for (SimulatedNode h : holders) {
      ring.sim.fail(h); // the correlated failure
    }
    ring.sim.runFor(30_000); // the leaf sets have noticed; nobody live holds the entry
    SenderVerifier verifier = new DirectorySenderVerifier(ring.directory(readerNode));
    Throwable t =
        ring.failure(
            verifier.verifySender("alice@example.org", alice.identity().signing().publicKey()));
    assertInstanceOf(
        DirectoryException.Unavailable.class,
        t,
        "an enrolled sender whose entry is out of reach must be retryable, not forged: " + t);
  }
}
