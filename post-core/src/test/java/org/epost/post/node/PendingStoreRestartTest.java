package org.epost.post.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.epost.overlay.api.Id;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.NotificationState;
import org.epost.post.disk.Direct;
import org.epost.post.notify.FilePendingItemStore;
import org.epost.post.notify.MemoryPendingItemStore;
import org.epost.post.notify.NotifyConfig;
import org.epost.post.notify.PendingItemStore;
import org.junit.jupiter.api.Test;

/**
 * An item deposited (majority-acknowledged) on storers that all restart is still fetched by its
 * recipient afterwards when the storers keep it on disk (real files under target/), and is lost
 * when they keep it in memory.
 */
class PendingStoreRestartTest {
  /** Runs the scenario; true if bob received the notification after every storer restarted. */
  private static boolean scenario(long seed, Function<SimulatedNode, PendingItemStore> stores) {
    PostRing ring = new PostRing(seed, stores).build(16);
    PostRing.Slot a = ring.live().get(3);
    PostRing.Slot b = ring.live().get(11);
    PostRing.Inbox bobInbox = new PostRing.Inbox();
    PostRing.Person alice =
        ring.person("alice@ring.example", a).on(a, ring.memoryState(), new PostRing.Inbox());
    PostNode.UserState bobState = ring.memoryState();
    PostRing.Person bob = ring.person("bob@ring.example", b).on(b, bobState, bobInbox);
    alice.enrol(a);
    bob.enrol(b);
    Id bobNode = b.node.id();
    bob.user.notifications().stop();
    ring.crash(b); // bob is away
    ring.sim.runFor(20_000);
    var id =
        ring.await(
            alice.user.notifications().send(bob.entry.certificate(), new byte[] {7}, new byte[0]),
            60_000);
    assertEquals(NotificationState.NOTIFIED, alice.user.notifications().status(id).get().state());
    List<PostRing.Slot> holders = new ArrayList<>();
    for (PostRing.Slot s : ring.live()) {
      if (s.post.notifyNode().statistics().items() > 0) {
        holders.add(s);
      }
    }
    assertTrue(holders.size() >= 3, "a majority holds it: " + holders.size());
    for (PostRing.Slot s : holders) {
      ring.crash(s); // every storer's process dies at once
    }
    ring.sim.runFor(5_000);
    for (PostRing.Slot s : holders) {
      ring.restart(s.node.id());
    }
    ring.sim.runFor(60_000);
    PostRing.Slot back = ring.restart(bobNode);
    bob.on(back, bobState, bobInbox);
    return ring.runUntil(() -> bobInbox.received.size() == 1, 60_000);
  }

  @Test
  void aDepositSurvivesARestartOfEveryStorerOnDisk() {
    Path base = Direct.dir("ring-pending-");
    NotifyConfig config = NotifyConfig.defaults();
    assertTrue(
        scenario(
            51,
            node -> {
              try {
                return FilePendingItemStore.open(
                    base.resolve(node.id().toHex()),
                    Runnable::run,
                    node.overlay().environment().scheduler(),
                    config);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }),
        "bob fetched the notification from the restarted storers' disks");
  }

  @Test
  void inMemoryTheSameRestartLosesIt() {
    assertFalse(scenario(51, node -> new MemoryPendingItemStore()), "control: memory loses it");
  }
}
