package org.epost.post.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.api.Id;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.SenderVerdict;
import org.epost.post.disk.Direct;
import org.epost.post.disk.JournalCorruptException;
import org.junit.jupiter.api.Test;

/**
 * The directory's marks and newest revocation list on disk (ADR 0109; real files under target/):
 * after a restart a node still refuses an entry older than one it accepted, served by lying
 * storers, and still holds the list; a damaged file is a clear error.
 */
class DirectoryStateOnDiskTest {
  private static final String ALICE = "alice@example.org";

  /** Runs the scenario; the restarted reader's answer to a lookup of alice. */
  private static Throwable afterRestart(boolean onDisk) throws IOException {
    Path dir = Direct.dir("directory-");
    List<DirectoryTest.ByzantineStore> all = new ArrayList<>();
    DirectoryRing ring =
        new DirectoryRing(
                45,
                n -> {
                  DirectoryTest.ByzantineStore s = new DirectoryTest.ByzantineStore();
                  all.add(s);
                  return s;
                })
            .build(24);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), ALICE);
    Id id = alice.entry().id();
    SimulatedNode readerNode = ring.awayFrom(id, 5, 3);
    var loop = ring.env(readerNode).scheduler();
    DirectoryLocalState state =
        onDisk
            ? FileDirectoryState.open(dir, ring.authority.publicKey(), 1_000, Runnable::run, loop)
            : DirectoryLocalState.inMemory();
    UserDirectory reader =
        UserDirectory.create(
            ring.pasts.get(readerNode),
            ring.env(readerNode),
            ring.authority.publicKey(),
            ring.directoryConfig,
            state);
    Instant now = ring.env(ring.node(2)).clock().wallInstant();
    DirectoryEntry revoked =
        ring.authority.revoke(alice.entry(), DirectoryEntry.Reason.KEY_COMPROMISE, now);
    ring.await(ring.directory(ring.node(2)).publish(revoked));
    ring.sim.runFor(10_000);
    assertInstanceOf(DirectoryException.Revoked.class, ring.failure(reader.lookup(ALICE)));

    // the reader's node restarts (its process dies; the new one opens the same directory)
    DirectoryLocalState reopened =
        onDisk
            ? FileDirectoryState.open(dir, ring.authority.publicKey(), 1_000, Runnable::run, loop)
            : DirectoryLocalState.inMemory();
    UserDirectory restarted =
        UserDirectory.create(
            ring.pasts.get(readerNode),
            ring.env(readerNode),
            ring.authority.publicKey(),
            ring.directoryConfig,
            reopened);
    for (DirectoryTest.ByzantineStore s : all) {
      s.rollback = true; // every storer serves alice's active entry from before the revocation
    }
    try {
      Object v = ring.await(restarted.lookup(ALICE));
      return new AssertionError("accepted the rolled-back entry: " + v);
    } catch (java.util.concurrent.CompletionException e) {
      Throwable t = UserDirectory.cause(e);
      if (onDisk) {
        assertEquals(1, restarted.status().rollbacksRejected());
        Throwable v =
            ring.failure(restarted.verifySender(ALICE, alice.identity().signing().publicKey()));
        assertInstanceOf(DirectoryException.RolledBack.class, v, "never a valid verdict");
      }
      return t;
    }
  }

  @Test
  void theMarkSurvivesARestartAndARolledBackEntryIsRefused() throws IOException {
    Throwable t = afterRestart(true);
    assertInstanceOf(DirectoryException.RolledBack.class, t, t.toString());
  }

  @Test
  void inMemoryTheRestartedNodeAcceptsTheRolledBackEntry() throws IOException {
    Throwable t = afterRestart(false);
    assertInstanceOf(AssertionError.class, t, "control: memory forgets the mark");
  }

  @Test
  void theListAndMarksAreReadBackBoundedAndCompacted() throws IOException {
    Path dir = Direct.dir("dirstate-");
    SigningKeyPair authority = SigningKeyPair.generate(DirectoryRing.seeded(3));
    FileDirectoryState s =
        FileDirectoryState.open(dir, authority.publicKey(), 100, Runnable::run, Direct.LOOP);
    assertNull(s.revocations());
    byte[] hash = new byte[32];
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 150; i++) {
        hash[0] = (byte) i;
        s.putMark("u" + i + "@example.org", round * 1000L + i, hash);
      }
    }
    SignedRevocations v3 =
        SignedRevocations.sign(authority, 3, Instant.ofEpochSecond(1_800_000_000L), Set.of(7L));
    Direct.done(s.putRevocations(v3));
    assertEquals(100, s.markCount());
    assertTrue(Files.size(s.file()) < (2 << 20), "compacted: " + Files.size(s.file()));
    // dropped without close: a crash
    FileDirectoryState r =
        FileDirectoryState.open(dir, authority.publicKey(), 100, Runnable::run, Direct.LOOP);
    assertEquals(100, r.marks().size());
    DirectoryLocalState.StoredMark last = r.marks().get(r.marks().size() - 1);
    assertEquals("u149@example.org", last.address());
    assertEquals(49_149L, last.sequence());
    assertEquals(3, r.revocations().version());
    assertTrue(r.revocations().list().isRevoked(7L));

    // another ring's authority cannot open it: its list does not verify
    SigningKeyPair other = SigningKeyPair.generate(DirectoryRing.seeded(4));
    IOException e =
        assertThrows(
            JournalCorruptException.class,
            () -> FileDirectoryState.open(dir, other.publicKey(), 100, Runnable::run, Direct.LOOP));
    assertTrue(e.getMessage().contains("revocation list"), e.getMessage());

    // a flipped bit in the middle of the file: a clear error naming the file
    byte[] bytes = Files.readAllBytes(s.file());
    bytes[40] ^= 0x10;
    Files.write(s.file(), bytes);
    IOException c =
        assertThrows(
            JournalCorruptException.class,
            () ->
                FileDirectoryState.open(
                    dir, authority.publicKey(), 100, Runnable::run, Direct.LOOP));
    assertTrue(c.getMessage().contains("directory.journal"), c.getMessage());
  }

  @Test
  void aRevokedVerdictComesFromTheStoredListAfterARestart() throws IOException {
    Path dir = Direct.dir("dirlist-");
    DirectoryRing ring = new DirectoryRing(46).build(12);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), ALICE);
    SimulatedNode n = ring.node(7);
    var loop = ring.env(n).scheduler();
    FileDirectoryState st =
        FileDirectoryState.open(dir, ring.authority.publicKey(), 1_000, Runnable::run, loop);
    UserDirectory d =
        UserDirectory.create(
            ring.pasts.get(n), ring.env(n), ring.authority.publicKey(), ring.directoryConfig, st);
    Instant now = ring.env(n).clock().wallInstant();
    assertEquals(
        UserDirectory.Offer.INSTALLED,
        d.offerRevocations(
            ring.authority.revocationObject(4, now, Set.of(alice.entry().certificate().serial()))));
    ring.sim.runFor(100);
    UserDirectory restarted =
        UserDirectory.create(
            ring.pasts.get(n),
            ring.env(n),
            ring.authority.publicKey(),
            ring.directoryConfig,
            FileDirectoryState.open(dir, ring.authority.publicKey(), 1_000, Runnable::run, loop));
    assertEquals(4, restarted.status().revocationListVersion());
    SenderVerdict v =
        ring.await(restarted.verifySender(ALICE, alice.identity().signing().publicKey()));
    assertEquals(SenderVerdict.Outcome.REVOKED, v.outcome());
  }
}
