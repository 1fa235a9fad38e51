package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.sim.SimulatedNode;
import org.junit.jupiter.api.Test;

/** PAST on a simulated ring of 60 nodes: what a user of PAST observes. */
class PastRingTest {
  private static final long DAY = 24L * 3_600_000;
  private static final long EPOCH = org.epost.overlay.sim.Simulation.DEFAULT_EPOCH_MILLIS;

  private static List<PastObject> objects(int count, int size, long seed, long expiry) {
    SplittableRandom r = new SplittableRandom(seed);
    List<PastObject> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] b = new byte[size];
      r.nextBytes(b);
      out.add(PastObject.immutable(b, expiry));
    }
    return out;
  }

  private static <T> T await(PastRing ring, java.util.concurrent.CompletionStage<T> stage) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    for (int i = 0; i < 600 && !f.isDone(); i++) {
      ring.sim.runFor(100);
    }
    assertTrue(f.isDone(), "operation did not complete in 60 s of virtual time");
    return f.join();
  }

  @Test
  void insertedObjectsLiveOnTheirReplicaSetAndComeBackFromAnyNode() {
    PastRing ring = new PastRing(11, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(60);
    List<PastObject> objs = objects(40, 4700, 5, EPOCH + 30 * DAY);
    for (PastObject o : objs) {
      int stored = await(ring, ring.randomPast().insert(o));
      assertTrue(stored >= 3, "insert acknowledged by a majority, got " + stored);
    }
    ring.sim.runFor(30_000);
    for (PastObject o : objs) {
      assertEquals(5, ring.replicasOnClosest(o.id(), 5), "5 closest live nodes hold " + o.id());
      PastObject got = await(ring, ring.randomPast().lookup(o.id()));
      assertArrayEquals(o.bytes(), got.bytes());
    }
  }

  @Test
  void afterNodeFailuresRepairRestoresKReplicasAndLookupsStillSucceed() {
    // Failed nodes are presumed back within the absence timeout; here they never return.
    PastRing ring =
        new PastRing(12, PastRing.testConfig().withAbsenceTimeout(90_000), PastRing.memoryStores());
    ring.build(60);
    List<PastObject> objs = objects(40, 2000, 6, EPOCH + 30 * DAY);
    for (PastObject o : objs) {
      await(ring, ring.randomPast().insert(o));
    }
    ring.sim.runFor(10_000);
    // Fail 3 of the 5 replicas of the first object, and 12 random others.
    List<SimulatedNode> victims = new ArrayList<>(ring.closest(objs.get(0).id(), 3));
    for (int i = 0; i < 12; i++) {
      SimulatedNode n = ring.sim.randomLiveNode();
      if (!victims.contains(n)) {
        victims.add(n);
      }
    }
    victims.forEach(ring::fail);
    ring.sim.runFor(6 * 60_000);
    for (PastObject o : objs) {
      int held = ring.replicasOnClosest(o.id(), 12);
      assertTrue(
          held >= 5 && held <= 7,
          "repair brought " + o.id() + " back to k = 5 holders near its id, got " + held);
      assertArrayEquals(o.bytes(), await(ring, ring.randomPast().lookup(o.id())).bytes());
    }
  }

  @Test
  void mutableObjectsKeepTheHighestVersionAndRefuseLowerOnes() throws Exception {
    PastRing ring = new PastRing(13, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(40);
    SigningKeyPair owner = SigningKeyPair.generate(new SecureRandom());
    byte[] label = "inbox-head".getBytes(StandardCharsets.UTF_8);
    PastObject v1 =
        PastObject.mutable(
            owner, label, 1, "one".getBytes(StandardCharsets.UTF_8), EPOCH + 30 * DAY);
    PastObject v2 =
        PastObject.mutable(
            owner, label, 2, "two".getBytes(StandardCharsets.UTF_8), EPOCH + 30 * DAY);
    assertTrue(await(ring, ring.randomPast().insert(v1)) >= 3);
    assertTrue(await(ring, ring.randomPast().insert(v2)) >= 3);
    CompletableFuture<Integer> rollback = ring.randomPast().insert(v1).toCompletableFuture();
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class, () -> await(ring, rollback));
    assertInstanceOf(PastException.InsertFailedException.class, e.getCause());
    PastObject got = await(ring, ring.randomPast().lookup(v1.id()));
    assertEquals(2, got.sequence());
    assertArrayEquals("two".getBytes(StandardCharsets.UTF_8), got.data());

    // A forged version (signed by someone else, same id claimed) is refused by every storer.
    SigningKeyPair mallory = SigningKeyPair.generate(new SecureRandom());
    PastObject forged =
        PastObject.mutable(
            mallory, label, 9, "evil".getBytes(StandardCharsets.UTF_8), EPOCH + 30 * DAY);
    PastObject forgedUnderOwnersId =
        PastObject.unverified(forged.kind(), v1.id(), forged.bytes(), EPOCH + 30 * DAY);
    CompletableFuture<Integer> forgery =
        ring.randomPast().insert(forgedUnderOwnersId).toCompletableFuture();
    CompletionException fe =
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, forgery::join);
    assertInstanceOf(PastException.InvalidObjectException.class, fe.getCause());
    assertEquals(2, await(ring, ring.randomPast().lookup(v1.id())).sequence());
  }

  @Test
  void renewExtendsTheLeaseAndExpiredObjectsAreCollected() {
    PastRing ring = new PastRing(14, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(40);
    long now = ring.sim.wallMillis();
    PastObject shortLived = objects(1, 100, 7, now + 5 * 60_000).get(0);
    PastObject renewed = objects(1, 100, 8, now + 5 * 60_000).get(0);
    await(ring, ring.randomPast().insert(shortLived));
    await(ring, ring.randomPast().insert(renewed));
    assertTrue(await(ring, ring.randomPast().renew(renewed.id(), now + 60 * 60_000)) >= 3);
    int carried = 0;
    for (var holder : ring.closest(renewed.id(), 5)) {
      for (var e : ring.stores.get(holder).entries()) {
        carried += e.id().equals(renewed.id()) && e.expiryMillis() == now + 60 * 60_000 ? 1 : 0;
      }
    }
    assertTrue(carried >= 3, "the renewal's wall expiry reached the stores: " + carried);
    // Collected once the storers' wall clocks pass the expiry plus the skew tolerance.
    ring.sim.runFor(
        5 * 60_000 + ring.config.clockSkewToleranceMillis() + 2 * ring.config.maintenanceMillis());
    assertEquals(0, ring.replicasOnClosest(shortLived.id(), 5), "expired object collected");
    assertEquals(5, ring.replicasOnClosest(renewed.id(), 5), "renewed object kept");
    CompletableFuture<PastObject> gone =
        ring.randomPast().lookup(shortLived.id()).toCompletableFuture();
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class, () -> await(ring, gone));
    assertInstanceOf(PastException.ObjectNotFoundException.class, e.getCause());
  }

  @Test
  void anInvalidObjectIsRefusedAtInsert() {
    PastRing ring = new PastRing(15, PastRing.testConfig(), PastRing.memoryStores());
    ring.build(20);
    PastObject good = objects(1, 100, 9, EPOCH + 30 * DAY).get(0);
    byte[] bad = good.bytes();
    bad[0] ^= 1;
    PastObject lying = PastObject.unverified(good.kind(), good.id(), bad, good.expiryMillis());
    CompletableFuture<Integer> f = ring.randomPast().insert(lying).toCompletableFuture();
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, f::join);
    assertInstanceOf(PastException.InvalidObjectException.class, e.getCause());
  }

  @Test
  void operationsInFlightAreBounded() {
    org.epost.overlay.past.api.PastConfig d = PastRing.testConfig();
    org.epost.overlay.past.api.PastConfig tight =
        new org.epost.overlay.past.api.PastConfig(
            d.replicas(),
            d.insertTimeoutMillis(),
            d.fetchTimeoutMillis(),
            d.lookupAttempts(),
            d.maintenanceMillis(),
            d.syncDelayMillis(),
            d.retainWidth(),
            d.maxPushesPerSync(),
            2,
            d.maxLeaseMillis(),
            d.clockSkewToleranceMillis(),
            d.absenceTimeoutMillis(),
            d.minReachable(),
            d.reachableGraceMillis());
    PastRing ring = new PastRing(16, tight, PastRing.memoryStores());
    ring.build(20);
    var past = ring.randomPast();
    List<PastObject> objs = objects(3, 100, 10, EPOCH + 30 * DAY);
    CompletableFuture<Integer> a = past.insert(objs.get(0)).toCompletableFuture();
    CompletableFuture<Integer> b = past.insert(objs.get(1)).toCompletableFuture();
    CompletableFuture<Integer> c = past.insert(objs.get(2)).toCompletableFuture();
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, c::join);
    assertTrue(
        e.getCause().getMessage().contains("too many operations in flight"),
        e.getCause().getMessage());
    assertTrue(await(ring, a) >= 3);
    assertTrue(await(ring, b) >= 3);
  }
}
