package org.epost.overlay.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.epost.overlay.api.Id;
import org.epost.overlay.node.api.DataDirectoryException;
import org.epost.overlay.node.api.NodeConfig;
import org.epost.overlay.node.api.NodeRuntime;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.api.PastObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node runtime through its real path, three runtimes in one JVM over TLS on loopback: the
 * data-directory lock (a second start on a directory in use is refused and leaves the first node's
 * control token alone; a stopped node's directory starts again), the permission check, and the
 * control port's storage and multicast commands (a file in chunks under a manifest, a small file
 * that reads as a manifest, single objects, not found, publish/subscribe).
 */
class NodeRuntimeTest {
  @TempDir Path tmp;
  private final List<NodeRuntime> nodes = new ArrayList<>();

  private NodeRuntime start(String name, NodeRuntime bootstrap) throws Exception {
    NodeConfig.Builder b =
        NodeConfig.builder(
                tmp.resolve(name), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .past(PastConfig.defaults().withReplicas(3))
            .quotaBytes(64L << 20);
    if (bootstrap != null) {
      b.bootstraps(List.of(socket(bootstrap)));
    }
    NodeRuntime n = NodeRuntimes.start(b.build());
    nodes.add(n);
    assertTrue(n.awaitReady(30_000), name + " joined");
    return n;
  }

  private static InetSocketAddress socket(NodeRuntime n) throws Exception {
    String[] hp = n.address().toString().split(":");
    return new InetSocketAddress(InetAddress.getByName(hp[0]), Integer.parseInt(hp[1]));
  }

  @AfterEach
  void stop() {
    for (NodeRuntime n : nodes) {
      n.close();
    }
  }

  @Test
  void aSecondStartOnADirectoryInUseIsRefusedAndLeavesTheTokenAlone() throws Exception {
    NodeRuntime a = start("a", null);
    String control = Files.readString(tmp.resolve("a").resolve(NodeDirectory.CONTROL_FILE));
    DataDirectoryException e =
        assertThrows(
            DataDirectoryException.class,
            () ->
                NodeRuntimes.start(
                    NodeConfig.builder(
                            tmp.resolve("a"),
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build()));
    assertEquals(
        "data directory "
            + tmp.resolve("a").toAbsolutePath()
            + " is in use by process "
            + ProcessHandle.current().pid()
            + " (lock file "
            + tmp.resolve("a").toAbsolutePath().resolve("lock")
            + "); stop it first",
        e.getMessage());
    assertEquals(
        control,
        Files.readString(tmp.resolve("a").resolve(NodeDirectory.CONTROL_FILE)),
        "the refused start wrote no token");
    assertTrue(ControlClient.call(a.dataDirectory(), "STATUS", 10_000).get(0).startsWith("node "));
    Id id = a.id();
    a.close();
    NodeRuntime again = start("a", null);
    assertEquals(id, again.id(), "the stopped node's directory starts again, same identity");
  }

  @Test
  void aDirectoryOthersMayWriteIsRefused() throws Exception {
    Path d = tmp.resolve("open");
    Files.createDirectories(d);
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
    DataDirectoryException e =
        assertThrows(
            DataDirectoryException.class,
            () ->
                NodeRuntimes.start(
                    NodeConfig.builder(
                            d, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build()));
    assertTrue(e.getMessage().contains("chmod 700"), e.getMessage());
    assertTrue(!Files.exists(d.resolve("node.key")), "nothing was written");
  }

  @Test
  void filesObjectsAndPublicationsGoThroughTheControlPort() throws Exception {
    NodeRuntime a = start("a", null);
    NodeRuntime b = start("b", a);
    NodeRuntime c = start("c", a);
    Thread.sleep(1_000); // leaf sets settle

    byte[] content = new byte[300_000];
    new Random(5).nextBytes(content);
    Path file = tmp.resolve("in.bin");
    Files.write(file, content);
    String stored = one(a, "PUT " + file.toAbsolutePath());
    assertTrue(stored.matches("stored [0-9a-f]{40} bytes=300000 chunks=6"), stored);
    String id = stored.split(" ")[1];
    Path out = tmp.resolve("out.bin");
    assertEquals("got " + id + " bytes=300000", one(c, "GET " + id + " " + out.toAbsolutePath()));
    assertArrayEquals(content, Files.readAllBytes(out));
    assertTrue(one(c, "GET " + id + " " + out.toAbsolutePath()).contains("exists"));
    assertTrue(one(c, "PUT relative.bin").startsWith("error the path must be absolute"));

    // A small file that is itself a valid manifest comes back as it is, not as what it lists.
    byte[] fake = new Manifest(0, 10, 5, new byte[32], List.of(Id.fromHex(id))).encode();
    assertNotNull(Manifest.decode(fake));
    Path fakeFile = tmp.resolve("fake.bin");
    Files.write(fakeFile, fake);
    String fakeId = one(b, "PUT " + fakeFile.toAbsolutePath()).split(" ")[1];
    Path fakeOut = tmp.resolve("fake.out");
    assertTrue(one(a, "GET " + fakeId + " " + fakeOut.toAbsolutePath()).startsWith("got "));
    assertArrayEquals(fake, Files.readAllBytes(fakeOut));

    byte[] small = "a small object".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String put = one(b, "PUTB " + Base64.getEncoder().encodeToString(small));
    assertTrue(put.startsWith("stored " + PastObject.contentId(small).toHex()), put);
    assertEquals(
        "data " + Base64.getEncoder().encodeToString(small),
        one(c, "GETB " + PastObject.contentId(small).toHex()));
    String missing = one(c, "GETB " + "ab".repeat(20));
    assertTrue(missing.startsWith("error not found"), missing);

    List<String> received = new CopyOnWriteArrayList<>();
    AtomicReference<ControlClient.Session> session = new AtomicReference<>();
    Thread sub =
        new Thread(
            () -> {
              try {
                ControlClient.stream(
                    b.dataDirectory(), "SUBSCRIBE news", received::add, session::set);
              } catch (java.io.IOException e) {
                // closed by the test
              }
            });
    sub.start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!received.contains("attached") && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertTrue(received.contains("attached"), "attached: " + received);
    for (int i = 0; i < 5; i++) {
      assertTrue(one(c, "PUBLISH news line " + i).startsWith("published news"));
    }
    while (received.stream().filter(l -> l.startsWith("pub ")).count() < 5
        && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    session.get().close();
    sub.join(5_000);
    assertEquals(
        List.of("pub line 0", "pub line 1", "pub line 2", "pub line 3", "pub line 4"),
        received.stream().filter(l -> l.startsWith("pub ")).toList());

    List<String> status = ControlClient.call(a.dataDirectory(), "STATUS", 10_000);
    assertTrue(
        status.stream().anyMatch(l -> l.matches("past objects=\\d+ bytes=\\d+ .*")), "" + status);
    assertTrue(status.stream().anyMatch(l -> l.startsWith("scribe topics=")), "" + status);
    assertTrue(status.stream().anyMatch(l -> l.startsWith("jvm heapUsed=")), "" + status);

    // A clean stop flushes the store: the node comes back on its directory with what it held.
    String held = pastLine(c).split(" ")[1];
    assertTrue(!held.equals("objects=0"), held);
    c.close();
    nodes.remove(c);
    NodeRuntime back = start("c", a);
    assertEquals(held, pastLine(back).split(" ")[1], "objects held after a stop and a restart");
  }

  private static String pastLine(NodeRuntime n) throws Exception {
    return ControlClient.call(n.dataDirectory(), "STATUS", 10_000).stream()
        .filter(l -> l.startsWith("past "))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void manifestsRoundTripAndRefuseInconsistentHeaders() {
    List<Id> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(Id.of(i, i, i));
    }
    Manifest m = new Manifest(0, Manifest.CHUNK, 2L * Manifest.CHUNK + 1, new byte[32], ids);
    Manifest back = Manifest.decode(m.encode());
    assertNotNull(back);
    assertEquals(ids, back.entries());
    assertEquals(1, back.entryLength(2));
    Manifest wrongCount = new Manifest(0, Manifest.CHUNK, 5, new byte[32], ids);
    assertNull(Manifest.decode(wrongCount.encode()), "3 chunks cannot cover 5 bytes");
    assertNull(Manifest.decode("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    assertTrue(Manifest.encodedMaxFits());
  }

  private static String one(NodeRuntime n, String command) throws Exception {
    List<String> lines = ControlClient.call(n.dataDirectory(), command, 120_000);
    assertEquals(1, lines.size(), command + " -> " + lines);
    return lines.get(0);
  }
}
