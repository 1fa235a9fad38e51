package org.epost.post.directory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.cert.RingAuthority;
import org.epost.crypto.keyfile.KeyFiles;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.LogContents;
import org.epost.post.api.MailAddress;
import org.epost.post.api.SenderVerdict;
import org.epost.post.api.UserRecord;
import org.epost.post.log.LogConfig;
import org.epost.post.log.MemoryLogLocalState;
import org.epost.post.log.SignedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory end to end on simulated rings of real Pastry + PAST nodes: enrolment, verified
 * lookups, forged entries, revocation (warm caches included), storers serving old entries, and too
 * few replicas answering.
 */
class DirectoryTest {
  /**
   * Test fixture: a storer that keeps every mutable object's first version and, when told, serves
   * it instead of the newest (a storer rolling an entry back to before a revocation), or serves a
   * forged object in place of chosen ids.
   */
  static final class ByzantineStore implements ObjectStore {
    final MemoryObjectStore inner = new MemoryObjectStore(64L << 20);
    final Map<Id, PastObject> oldest = new HashMap<>();
    final Map<Id, PastObject> forgeries = new HashMap<>();
    boolean rollback;

    @Override
    public PutResult put(PastObject o) {
      if (o.kind() == ObjectKind.MUTABLE) {
        oldest.putIfAbsent(o.id(), o);
      }
      return inner.put(o);
    }

    @Override
    public PastObject get(Id id) {
      if (forgeries.containsKey(id)) {
        return forgeries.get(id);
      }
      return rollback && oldest.containsKey(id) ? oldest.get(id) : inner.get(id);
    }

    @Override
    public boolean setExpiry(Id id, long e) {
      return inner.setExpiry(id, e);
    }

    @Override
    public boolean delete(Id id) {
      return inner.delete(id);
    }

    @Override
    public List<Entry> entries() {
      return inner.entries();
    }

    @Override
    public long usedBytes() {
      return inner.usedBytes();
    }

    @Override
    public long quotaBytes() {
      return inner.quotaBytes();
    }
  }

  private static DirectoryRing byzantineRing(long seed, List<ByzantineStore> all) {
    return new DirectoryRing(
            seed,
            n -> {
              ByzantineStore s = new ByzantineStore();
              all.add(s);
              return s;
            })
        .build(24);
  }

  @Test
  void aliceAndBobEnrolAndBobsNodeVerifiesAlice(@TempDir Path dir) throws Exception {
    DirectoryRing ring = new DirectoryRing(41).build(24);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(3), "Alice@Example.ORG");
    DirectoryRing.Enrolled bob = ring.enrol(ring.node(7), "bob@example.org");
    assertEquals("alice@example.org", alice.entry().address().value());
    assertEquals(1, alice.accountOperations(), "the account log holds the enrolment");
    assertEquals(1, bob.accountOperations());

    // Bob's node looks alice up: a quorum read, verified, then answered from the cache.
    UserDirectory bobs = ring.directory(ring.node(7));
    UserRecord a = ring.await(bobs.lookup("alice@EXAMPLE.org"));
    assertEquals(alice.identity().signing().publicKey(), a.signingKey());
    assertEquals(alice.identity().encryption().publicKey(), a.encryptionKey());
    assertEquals(alice.entry().sequence(), a.sequence());
    long reads = bobs.status().ringReads();
    assertEquals(a, ring.await(bobs.lookup("alice@example.org")));
    assertEquals(reads, bobs.status().ringReads(), "a warm cache answers without the ring");
    assertEquals(1, bobs.status().cacheHits());

    // Sender checks: alice's own key is valid; anyone else's key for her address is forged.
    SenderVerdict ok =
        ring.await(bobs.verifySender("alice@example.org", alice.identity().signing().publicKey()));
    assertTrue(ok.valid(), ok.reason());
    SenderVerdict forged =
        ring.await(bobs.verifySender("alice@example.org", bob.identity().signing().publicKey()));
    assertEquals(SenderVerdict.Outcome.FORGED, forged.outcome());
    // An address nobody found is no verdict (its entry's holders may all be away): retryable.
    Throwable nobody =
        ring.failure(
            bobs.verifySender("mallory@example.org", bob.identity().signing().publicKey()));
    assertInstanceOf(DirectoryException.Unavailable.class, nobody, nobody.toString());
    assertTrue(((DirectoryException) nobody).retryable());
    assertEquals(1, bobs.status().sendersVerified());
    assertEquals(1, bobs.status().sendersForged());
    Throwable none = ring.failure(bobs.lookup("mallory@example.org"));
    assertInstanceOf(DirectoryException.NoSuchUser.class, none);
    assertFalse(((DirectoryException) none).retryable());

    // The account log, read by alice's log service on another node, records her enrolment.
    SignedLogs elsewhere =
        SignedLogs.create(
            ring.pasts.get(ring.node(15)),
            ring.env(ring.node(15)),
            alice.identity().signing(),
            "laptop",
            new MemoryLogLocalState(),
            LogConfig.defaults());
    LogContents log =
        ring.await(elsewhere.read(alice.logs().writer(AccountLog.NAME, alice.account()).id(), 0));
    assertEquals(1, log.sequence());
    AccountLog.Enrolled e = AccountLog.decode(log.operations().get(0));
    assertEquals("alice@example.org", e.address());
    assertEquals(alice.entry().certificate(), e.certificate());
    assertEquals("laptop", e.device());

    // Completing the enrolment again (after a crash, say) neither fails nor records it twice.
    assertEquals(
        1L,
        ring.await(
            Enrolment.complete(
                ring.directory(ring.node(3)),
                alice.logs(),
                new AccountLog(),
                alice.entry(),
                alice.identity(),
                0)));

    // The key file the user side writes reads back to the same keys with the passphrase.
    Path file = dir.resolve("alice.key");
    Enrolment.writeKeyFile(
        file,
        alice.identity(),
        "correct horse".toCharArray(),
        DirectoryRing.seeded(1),
        new ScryptParameters(10, 8, 1));
    UserIdentity back = KeyFiles.readUser(file, "correct horse".toCharArray());
    assertEquals(alice.identity().signing().publicKey(), back.signing().publicKey());
    assertEquals(alice.identity().encryption().publicKey(), back.encryption().publicKey());
  }

  @Test
  void forgedEntriesAreRejectedAndCounted() {
    List<ByzantineStore> all = new ArrayList<>();
    DirectoryRing ring = byzantineRing(42, all);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), "alice@example.org");
    MailAddress a = alice.entry().address();
    Id id = alice.entry().id();

    // Mallory makes her own "authority" and signs an entry for alice's address with her key: it is
    // another object (the id is derived from the authority's key), and the ring's id still names
    // alice's true entry.
    SigningKeyPair mallory = SigningKeyPair.generate(DirectoryRing.seeded(666));
    RingAuthority fake = new RingAuthority(mallory, DirectoryRing.seeded(667));
    Instant now = ring.env(ring.node(0)).clock().wallInstant();
    UserIdentity malloryUser = UserIdentity.generate(DirectoryRing.seeded(668));
    UserCertificate fakeCert =
        fake.issueUserCertificate(
            a.value(),
            malloryUser.signing().publicKey(),
            malloryUser.encryption().publicKey(),
            now,
            now.plus(Duration.ofDays(30)));
    PastObject forgedObject =
        PastObject.mutable(
            mallory,
            DirectoryEntry.label(a),
            Long.MAX_VALUE / 2,
            DirectoryEntry.payload(
                a, fakeCert, DirectoryEntry.Status.ACTIVE, DirectoryEntry.Reason.NONE, null),
            fakeCert.notAfter().toEpochMilli());
    assertFalse(forgedObject.id().equals(id));

    // Two of the five storers of alice's entry serve mallory's object under alice's id: PAST's
    // check (owner and label must give the id) skips them, and the quorum's answer is alice's.
    List<SimulatedNode> holders = ring.closest(id, 5);
    for (SimulatedNode h : holders.subList(0, 2)) {
      ((ByzantineStore) ring.stores.get(h)).forgeries.put(id, forgedObject);
    }
    SimulatedNode readerNode = ring.awayFrom(id, 5, 4);
    UserDirectory reader = ring.directory(readerNode);
    long corruptBefore = ring.pasts.get(readerNode).statistics().corruptionsDetected();
    UserRecord r = ring.await(reader.lookup("alice@example.org"));
    assertEquals(alice.identity().signing().publicKey(), r.signingKey());
    assertTrue(
        ring.pasts.get(readerNode).statistics().corruptionsDetected() > corruptBefore,
        "the forged copies were detected and counted by PAST");
    SenderVerdict v =
        ring.await(reader.verifySender("alice@example.org", malloryUser.signing().publicKey()));
    assertEquals(SenderVerdict.Outcome.FORGED, v.outcome());

    // An entry signed with the ring's key but carrying a certificate of another key (a leaked or
    // misused signing path) passes PAST and is refused by the directory, counted.
    PastObject misissued =
        PastObject.mutable(
            ring.authorityKey,
            DirectoryEntry.label(a),
            alice.entry().sequence() + 1,
            DirectoryEntry.payload(
                a, fakeCert, DirectoryEntry.Status.ACTIVE, DirectoryEntry.Reason.NONE, null),
            fakeCert.notAfter().toEpochMilli());
    assertTrue(ring.await(ring.pasts.get(ring.node(5)).insert(misissued)) >= 3);
    UserDirectory fresh = ring.directory(ring.awayFrom(id, 5, 6));
    Throwable t = ring.failure(fresh.lookup("alice@example.org"));
    assertInstanceOf(DirectoryException.Forged.class, t, t.toString());
    assertFalse(((DirectoryException) t).retryable());
    assertEquals(1, fresh.status().forgedEntries());
    SenderVerdict v2 =
        ring.await(fresh.verifySender("alice@example.org", malloryUser.signing().publicKey()));
    assertEquals(SenderVerdict.Outcome.FORGED, v2.outcome());
    assertEquals(1, fresh.status().sendersForged());

    // Publishing an entry of another ring's authority is refused before it reaches PAST.
    DirectoryAuthority other = new DirectoryAuthority(mallory, DirectoryRing.seeded(669));
    DirectoryEntry otherEntry =
        other.enrol(
            CertificateRequest.create(a, malloryUser, now, DirectoryRing.seeded(670)).encode(),
            now,
            Duration.ofDays(30));
    Throwable p = ring.failure(reader.publish(otherEntry));
    assertInstanceOf(DirectoryException.Forged.class, p, p.toString());
  }

  @Test
  void aRevokedUserIsRefusedAfterTheRevocationEvenFromAWarmCache() {
    DirectoryRing ring = new DirectoryRing(43).build(24);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), "alice@example.org");
    String addr = "alice@example.org";
    UserDirectory withList = ring.directory(ring.node(9));
    UserDirectory withoutList = ring.directory(ring.node(17));
    assertTrue(ring.await(withList.lookup(addr)).sequence() > 0);
    assertTrue(ring.await(withoutList.lookup(addr)).sequence() > 0);
    assertEquals(1, withList.status().cached());

    // The authority revokes: the revoked entry is published (here by alice's node) and the serial
    // goes on revocation list 1.
    Instant now = ring.env(ring.node(2)).clock().wallInstant();
    DirectoryEntry revoked =
        ring.authority.revoke(alice.entry(), DirectoryEntry.Reason.KEY_COMPROMISE, now);
    assertTrue(revoked.sequence() > alice.entry().sequence());
    assertTrue(ring.await(ring.directory(ring.node(2)).publish(revoked)) >= 3);

    // A node that receives the list drops the cached entry at once.
    assertTrue(
        withList.updateRevocations(
            ring.authority.revocationList(1, now, Set.of(alice.entry().certificate().serial()))));
    assertEquals(1, withList.status().cacheEvictions());
    Throwable t = ring.failure(withList.lookup(addr));
    assertInstanceOf(DirectoryException.Revoked.class, t, t.toString());
    assertEquals(alice.entry().certificate().serial(), ((DirectoryException.Revoked) t).serial());
    SenderVerdict v =
        ring.await(withList.verifySender(addr, alice.identity().signing().publicKey()));
    assertEquals(SenderVerdict.Outcome.REVOKED, v.outcome(), v.reason());
    assertEquals(1, withList.status().sendersRevoked());
    assertFalse(
        withList.updateRevocations(ring.authority.revocationList(1, now, Set.of())),
        "a list not newer is ignored");

    // A node without the list learns it from the entry once its cache entry ages out (10 min).
    ring.sim.runFor(DirectoryConfig.defaults().cacheTtlMillis() + 1_000);
    Throwable t2 = ring.failure(withoutList.lookup(addr));
    assertInstanceOf(DirectoryException.Revoked.class, t2, t2.toString());
    assertEquals(0, withoutList.status().cached());
    SenderVerdict v2 =
        ring.await(withoutList.verifySender(addr, alice.identity().signing().publicKey()));
    assertEquals(SenderVerdict.Outcome.REVOKED, v2.outcome());

    // Re-issued under new keys (a higher sequence again), alice is back, with the new key only.
    UserIdentity rekeyed = UserIdentity.generate(ring.env(ring.node(2)).random().secure());
    Instant later = ring.env(ring.node(2)).clock().wallInstant();
    DirectoryEntry reissued =
        ring.authority.reissue(
            revoked,
            CertificateRequest.create(
                    alice.entry().address(), rekeyed, later, DirectoryRing.seeded(5))
                .encode(),
            later,
            Duration.ofDays(365));
    assertTrue(ring.await(ring.directory(ring.node(2)).publish(reissued)) >= 3);
    SenderVerdict v3 = ring.await(withList.verifySender(addr, rekeyed.signing().publicKey()));
    assertTrue(v3.valid(), v3.reason());
    SenderVerdict old =
        ring.await(withList.verifySender(addr, alice.identity().signing().publicKey()));
    assertEquals(SenderVerdict.Outcome.FORGED, old.outcome());
  }

  @Test
  void aStorerServingAnEntryFromBeforeTheRevocationIsOutvotedOrRefusedByTheMark() {
    List<ByzantineStore> all = new ArrayList<>();
    DirectoryRing ring = byzantineRing(44, all);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), "alice@example.org");
    String addr = "alice@example.org";
    Id id = alice.entry().id();
    UserDirectory reader = ring.directory(ring.awayFrom(id, 5, 3));
    Instant now = ring.env(ring.node(2)).clock().wallInstant();
    DirectoryEntry revoked =
        ring.authority.revoke(alice.entry(), DirectoryEntry.Reason.ACCOUNT_CLOSED, now);
    assertTrue(ring.await(ring.directory(ring.node(2)).publish(revoked)) >= 3);
    ring.sim.runFor(10_000);

    // One storer of five serves the active entry from before the revocation: the read quorum's
    // highest version (the revoked one) wins.
    List<SimulatedNode> holders = ring.closest(id, 5);
    ((ByzantineStore) ring.stores.get(holders.get(0))).rollback = true;
    Throwable t = ring.failure(reader.lookup(addr));
    assertInstanceOf(DirectoryException.Revoked.class, t, t.toString());

    // Every storer serves the old entry: the reader, which has seen the revoked one, refuses to go
    // back (its high-water mark), counted and retryable; it never answers with the old key.
    for (ByzantineStore s : all) {
      s.rollback = true;
    }
    Throwable t2 = ring.failure(reader.lookup(addr));
    assertInstanceOf(DirectoryException.RolledBack.class, t2, t2.toString());
    assertTrue(((DirectoryException) t2).retryable());
    assertEquals(1, reader.status().rollbacksRejected());
    assertThrowsVerdictFailure(ring, reader, addr, alice);

    // A node that never saw the revoked entry but holds the revocation list refuses it too.
    UserDirectory fresh = ring.directory(ring.awayFrom(id, 5, 8));
    fresh.updateRevocations(
        ring.authority.revocationList(3, now, Set.of(alice.entry().certificate().serial())));
    Throwable t3 = ring.failure(fresh.lookup(addr));
    assertInstanceOf(DirectoryException.Revoked.class, t3, t3.toString());
  }

  private static void assertThrowsVerdictFailure(
      DirectoryRing ring, UserDirectory reader, String addr, DirectoryRing.Enrolled alice) {
    Throwable t = ring.failure(reader.verifySender(addr, alice.identity().signing().publicKey()));
    assertInstanceOf(
        DirectoryException.RolledBack.class, t, "a sender is not checked on a rollback");
  }

  @Test
  void tooFewReplicasAnsweringIsUnavailableNeverNoSuchUser() {
    DirectoryRing ring = new DirectoryRing(45).build(24);
    ring.directoryConfig = DirectoryConfig.defaults().withAttempts(2, 500);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), "alice@example.org");
    Id id = alice.entry().id();
    ring.sim.runFor(10_000);

    // PAST stops answering on a majority of the entry's replica set (the overlay nodes stay): the
    // entry exists, so no reader may be told "no such user".
    List<SimulatedNode> holders = ring.closest(id, 5);
    for (SimulatedNode h : holders.subList(1, 4)) {
      ring.pasts.get(h).stop();
    }
    SimulatedNode readerNode = ring.awayFrom(id, 5, 2);
    UserDirectory reader = ring.directory(readerNode);
    Throwable t = ring.failure(reader.lookup("alice@example.org"));
    assertInstanceOf(DirectoryException.Unavailable.class, t, t.toString());
    assertTrue(((DirectoryException) t).retryable());
    assertEquals(1, reader.status().unavailable());
    assertEquals(2, reader.status().ringReads(), "retried once");
    Throwable s =
        ring.failure(
            reader.verifySender("alice@example.org", alice.identity().signing().publicKey()));
    assertInstanceOf(
        DirectoryException.Unavailable.class, s, "an unchecked sender is neither valid nor forged");
    assertEquals(0, reader.status().sendersForged());
    assertEquals(0, reader.status().notFound());
  }

  @Test
  void lookupsOfOneAddressShareOneRingRead() {
    DirectoryRing ring = new DirectoryRing(46).build(16);
    DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), "alice@example.org");
    UserDirectory reader = ring.directory(ring.node(11));
    var a = reader.lookup("alice@example.org");
    var b = reader.lookup("ALICE@example.org");
    var c = reader.verifySender("alice@example.org", alice.identity().signing().publicKey());
    assertEquals(ring.await(a), ring.await(b));
    assertTrue(ring.await(c).valid());
    assertEquals(1, reader.status().ringReads());
    assertArrayEquals(alice.entry().certificate().encode(), ring.await(a).certificate().encode());
  }

  @Test
  void theSameSeedEnrolsTheSameAndOtherThreadsAreRefused() throws Exception {
    long[] hashes = new long[2];
    long[] serials = new long[2];
    for (int i = 0; i < 2; i++) {
      DirectoryRing ring = new DirectoryRing(47).build(12);
      DirectoryRing.Enrolled alice = ring.enrol(ring.node(2), "alice@example.org");
      ring.await(ring.directory(ring.node(9)).lookup("alice@example.org"));
      hashes[i] = ring.sim.traceHash();
      serials[i] = alice.entry().certificate().serial();
      if (i == 1) {
        UserDirectory d = ring.directory(ring.node(9));
        java.util.concurrent.atomic.AtomicReference<Throwable> seen =
            new java.util.concurrent.atomic.AtomicReference<>();
        Thread t =
            new Thread(
                () -> {
                  try {
                    d.lookup("alice@example.org");
                  } catch (Throwable e) {
                    seen.set(e);
                  }
                });
        t.start();
        t.join();
        assertInstanceOf(IllegalStateException.class, seen.get(), "off the loop: LoopBridge");
      }
    }
    assertEquals(hashes[0], hashes[1], "same seed, same run");
    assertEquals(serials[0], serials[1]);
  }
}
