package org.epost.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.transport.tcp.TcpTransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Ring-authority mode through the node command (ADR 0089): the operator creates an authority, reads
 * each node's key with {@code node-key}, issues certificates with {@code authority issue} and
 * revokes with {@code authority revoke}; nodes started with {@code --ring-authority} take the id in
 * their certificate, a node with a valid certificate joins, and a node without one, or with a
 * revoked one, is refused at the TLS handshake and never joins.
 */
class RingAuthorityNodeTest {
  @TempDir Path tmp;
  private final List<NodeDaemon> nodes = new ArrayList<>();
  private static final PastryConfig FAST =
      new PastryConfig(PastryConfig.defaults().leafSetSize(), 1_000, 3_000, 1_000, 2_000, 2_000);

  @AfterEach
  void stop() {
    nodes.forEach(NodeDaemon::close);
  }

  /** Runs the node command in this JVM; returns its standard output, failing on a non-zero exit. */
  private static String command(String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    synchronized (System.class) {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      try {
        code = new CommandLine(new NodeCommand()).execute(args);
      } finally {
        System.setOut(saved);
      }
    }
    String text = out.toString(StandardCharsets.UTF_8).trim();
    assertEquals(0, code, "overlay-node " + String.join(" ", args) + " printed: " + text);
    return text;
  }

  /** Creates DIR's node key and has the authority certify it; returns the assigned id (hex). */
  private String certify(Path authority, Path data, Path cert) {
    String key = command("node-key", "--data", data.toString());
    assertTrue(key.matches("node-key [0-9a-f]{64}"), key);
    String issued =
        command(
            "authority",
            "issue",
            "--dir",
            authority.toString(),
            "--node-key",
            key.substring(9),
            "--out",
            cert.toString());
    assertTrue(issued.matches("issued [0-9a-f]{40} serial=\\d+ not-after=.+"), issued);
    return issued;
  }

  private NodeDaemon start(
      Path data, InetSocketAddress boot, TcpTransportConfig transport, Path cert)
      throws IOException {
    NodeDaemon d =
        NodeDaemon.start(
            data,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            boot == null ? List.of() : List.of(boot),
            FAST,
            transport.withTimeouts(3_000, 3_000),
            cert);
    nodes.add(d);
    return d;
  }

  private static InetSocketAddress socket(NodeDaemon d) throws Exception {
    return new InetSocketAddress(InetAddress.getByAddress(d.address().host()), d.address().port());
  }

  @Test
  void aCertifiedNodeJoinsUnderItsAssignedId_nodesWithoutOrWithARevokedCertificateAreRefused()
      throws Exception {
    Path authority = tmp.resolve("authority");
    String created = command("authority", "init", "--dir", authority.toString());
    assertTrue(created.matches("authority [0-9a-f]{64}"), created);
    Path pub = authority.resolve(RingAuthorityFiles.PUBLIC_FILE);
    assertEquals(
        created.substring(10), Files.readString(pub).trim(), "authority.pub holds the printed key");

    String issuedA =
        certify(
            authority, tmp.resolve("a"), tmp.resolve("a").resolve("node.cert")); // the default file
    String issuedB = certify(authority, tmp.resolve("b"), tmp.resolve("b.cert"));
    String issuedD = certify(authority, tmp.resolve("d"), tmp.resolve("d.cert"));
    String serialD = issuedD.replaceAll(".*serial=(\\d+).*", "$1");
    Path revoked = tmp.resolve("revoked.crl");
    command(
        "authority",
        "revoke",
        "--dir",
        authority.toString(),
        "--version",
        "1",
        "--serial",
        serialD,
        "--out",
        revoked.toString());

    TcpTransportConfig ringA =
        TcpTransportConfig.defaults().withRingAuthority(NodeDaemon.verifier(pub, revoked));
    NodeDaemon a = start(tmp.resolve("a"), null, ringA, null);
    assertTrue(a.awaitReady(10_000));
    assertEquals(
        issuedA.substring(7, 47),
        a.id().toHex(),
        "the node runs under the id its certificate assigns");

    TcpTransportConfig ring =
        TcpTransportConfig.defaults().withRingAuthority(NodeDaemon.verifier(pub, null));
    NodeDaemon b = start(tmp.resolve("b"), socket(a), ring, tmp.resolve("b.cert"));
    assertTrue(b.awaitReady(30_000), "a node with a valid certificate joins");
    assertEquals(issuedB.substring(7, 47), b.id().toHex());
    long end = System.nanoTime() + 30_000_000_000L;
    while (!a.leafSet().stream().anyMatch(h -> h.id().equals(b.id())) && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertTrue(
        a.leafSet().stream().anyMatch(h -> h.id().equals(b.id())),
        "the ring member knows the new node");

    long refusedBefore = a.transportStatistics().handshakeFailures();
    // no certificate: a node with an id derived from its key
    NodeDaemon c = start(tmp.resolve("c"), socket(a), TcpTransportConfig.defaults(), null);
    // a certificate the authority has revoked (the node itself has no list saying so)
    NodeDaemon d = start(tmp.resolve("d"), socket(a), ring, tmp.resolve("d.cert"));
    assertFalse(
        c.awaitReady(8_000), "a node without a certificate from the authority does not join");
    assertFalse(d.awaitReady(1_000), "a node with a revoked certificate does not join");
    assertTrue(
        a.transportStatistics().handshakeFailures() >= refusedBefore + 2,
        "the ring member refused both at the TLS handshake: " + a.transportStatistics());
    assertEquals(
        List.of(b.id()),
        a.leafSet().stream().map(h -> h.id()).distinct().toList(),
        "neither entered the ring member's leaf set");
  }

  @Test
  void aNodeCannotStartWithAMissingOrForeignCertificate() throws Exception {
    Path authority = tmp.resolve("authority");
    command("authority", "init", "--dir", authority.toString());
    TcpTransportConfig ring =
        TcpTransportConfig.defaults()
            .withRingAuthority(
                NodeDaemon.verifier(authority.resolve(RingAuthorityFiles.PUBLIC_FILE), null));
    IOException missing =
        assertThrows(IOException.class, () -> start(tmp.resolve("x"), null, ring, null));
    assertTrue(missing.getMessage().contains("no node certificate"), missing.getMessage());

    certify(authority, tmp.resolve("y"), tmp.resolve("y.cert"));
    IllegalArgumentException foreign =
        assertThrows(
            IllegalArgumentException.class,
            () -> start(tmp.resolve("x"), null, ring, tmp.resolve("y.cert")));
    assertTrue(foreign.getMessage().contains("another key"), foreign.getMessage());

    Path other = tmp.resolve("other");
    command("authority", "init", "--dir", other.toString());
    certify(other, tmp.resolve("z"), tmp.resolve("z.cert"));
    IllegalArgumentException wrongRing =
        assertThrows(
            IllegalArgumentException.class,
            () -> start(tmp.resolve("z"), null, ring, tmp.resolve("z.cert")));
    assertTrue(wrongRing.getMessage().contains("would be refused"), wrongRing.getMessage());
  }
}
