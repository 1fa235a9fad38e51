package org.epost.mail.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code epost demo}'s ring: four daemons join in well under the 20 s target, alice, bob and carol
 * are enrolled on nodes 1-3 with their own proxy passwords, each node sees the others in its leaf
 * set, and closing removes the temporary directory.
 */
class DemoRingTest {
  @TempDir Path tmp;

  @Test
  void fourNodesThreeUsersReadyAndCleanedUp() throws Exception {
    long t0 = System.nanoTime();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    Path root;
    try (DemoRing ring =
        DemoRing.start(
            tmp,
            4,
            List.of("alice", "bob", "carol"),
            0,
            0,
            new PrintStream(progress, true, StandardCharsets.UTF_8))) {
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(seconds < 20, "ready in " + seconds + " s");
      root = ring.root();
      assertEquals(4, ring.daemons().size());
      List<DemoRing.User> users = ring.users();
      assertEquals(
          List.of("alice@epost.demo", "bob@epost.demo", "carol@epost.demo"),
          users.stream().map(DemoRing.User::address).toList());
      assertEquals(3, users.stream().map(DemoRing.User::password).distinct().count());
      assertEquals(ring.mailIntegrated(), users.get(0).imap() != null);
      // nodes that joined at once complete their leaf sets within moments of being ready
      long until = System.nanoTime() + 15_000_000_000L;
      for (Daemon d : ring.daemons()) {
        List<String> status;
        do {
          status =
              org.epost.overlay.node.NodeControl.call(d.node().dataDirectory(), "STATUS", 10_000);
          Thread.sleep(status.get(1).equals("leafset 3") ? 0 : 100);
        } while (!status.get(1).equals("leafset 3") && System.nanoTime() < until);
        assertTrue(status.get(0).endsWith("ready=true"), status.get(0));
        assertEquals("leafset 3", status.get(1));
      }
      assertTrue(progress.toString(StandardCharsets.UTF_8).contains("4 nodes joined the ring"));
    }
    assertFalse(Files.exists(root), "the demo's directory is removed");
  }
}
