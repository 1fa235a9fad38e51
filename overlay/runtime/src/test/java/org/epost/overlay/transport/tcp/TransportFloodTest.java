package org.epost.overlay.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.epost.overlay.api.Id;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A host that opens 1,000 TCP connections a second to a node and never speaks (issue 17 item 5): a
 * new node still joins through the flooded node within 10 s, routes through it still reach their
 * roots, and the node's log says so in a few summary lines rather than a line per refused
 * connection. Everything stays on 127.0.0.0/8: the flood comes from 127.0.0.2, the nodes listen on
 * 127.0.0.1 and 127.0.0.3; the flood is bounded to 12 s and 2,000 held sockets.
 */
@Tag("hostile")
class TransportFloodTest {
  private static final Logger TRANSPORT_LOG = Logger.getLogger("org.epost.overlay.transport");

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aNewNodeJoinsThroughANodeUnderAThousandSilentConnectsPerSecond() throws Exception {
    List<String> warnings = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
              synchronized (warnings) {
                warnings.add(new java.util.logging.SimpleFormatter().formatMessage(r));
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    InetAddress nodes = InetAddress.getByName("127.0.0.1");
    InetAddress flooder = InetAddress.getByName("127.0.0.2");
    InetAddress newcomer = InetAddress.getByName("127.0.0.3");
    TcpTransportConfig config = TcpTransportConfig.defaults();
    TRANSPORT_LOG.addHandler(capture);
    try (LoopbackRing ring = new LoopbackRing()) {
      LoopbackRing.Node victim = ring.start(nodes, config, null);
      LoopbackRing.Node other = ring.start(nodes, config, victim);
      assertTrue(TcpFixture.await(other::ready, 20_000), "second node joined before the flood");
      synchronized (warnings) {
        warnings.clear();
      }
      InetSocketAddress target =
          new InetSocketAddress(nodes, victim.transport.localAddress().port());
      try (ConnectFlood flood = new ConnectFlood(flooder, target, 1_000, 2_000, 12_000).start()) {
        Thread.sleep(1_500); // long enough to fill a 256-connection cap several times over
        long joinStart = System.nanoTime();
        LoopbackRing.Node late = ring.start(newcomer, config, victim);
        boolean joined = TcpFixture.await(late::ready, 10_000);
        long joinMillis = (System.nanoTime() - joinStart) / 1_000_000;
        assertTrue(
            joined,
            "a new node joins through the flooded node within 10 s; flood connected="
                + flood.connected.get()
                + " failed="
                + flood.failed.get()
                + " victim "
                + victim.transport.statistics());
        System.out.println("joined through the flooded node in " + joinMillis + " ms");

        Random r = new Random(17);
        for (int k = 0; k < 30; k++) {
          Id key = Id.of(r.nextLong(), r.nextLong(), r.nextInt());
          LoopbackRing.Node from = ring.nodes.get(k % ring.nodes.size());
          assertEquals(
              ring.rootOf(key),
              ring.route(from, key).get(5, TimeUnit.SECONDS),
              "route " + k + " under the flood reaches its root");
        }
        assertTrue(flood.connected.get() > 1_500, "the flood ran: " + flood.connected.get());
      }
      TransportStatistics s = victim.transport.statistics();
      assertTrue(s.refusedConnections() > 1_000, "the victim refused the flood: " + s);
      int lines;
      synchronized (warnings) {
        lines = warnings.size();
      }
      assertTrue(
          lines <= 20,
          "refusals are summarised, not logged one line each: "
              + lines
              + " warning lines for "
              + s.refusedConnections()
              + " refused connections; first: "
              + warnings.subList(0, Math.min(3, lines)));
    } finally {
      TRANSPORT_LOG.removeHandler(capture);
    }
  }

  /**
   * A flood from 32 addresses fills the handshake budget, not the connection cap: the node's own
   * dial does not evict an identified peer (before, the cap counted the flood's silent connections
   * and the dial closed the least recently used peer), and a newcomer from a fresh address still
   * gets through.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aFloodFromManyAddressesNeverEvictsAnIdentifiedPeerAndANewcomerStillGetsIn()
      throws Exception {
    List<InetAddress> flooders = new ArrayList<>();
    for (int i = 1; i <= 32; i++) {
      flooders.add(InetAddress.getByName("127.0.1." + i));
    }
    try (TcpFixture fixture = new TcpFixture(TcpTransportConfig.defaults())) {
      TcpFixture small = new TcpFixture(TcpTransportConfig.defaults().withMaxConnections(4));
      try (small) {
        org.epost.overlay.transport.TransportContractTest.Endpoint victim = small.endpoint();
        org.epost.overlay.transport.TransportContractTest.Endpoint p1 = fixture.endpoint();
        org.epost.overlay.transport.TransportContractTest.Endpoint p2 = fixture.endpoint();
        for (var p : List.of(p1, p2)) {
          int before = victim.count_();
          p.transport.send(
              victim.transport.localAddress(),
              victim.id,
              TransportContractTestAccess.frameFrom(p.id, new byte[] {1}));
          assertTrue(TcpFixture.await(() -> victim.count_() == before + 1, 10_000));
        }
        TcpTransport p1t = (TcpTransport) p1.transport;
        assertEquals(1, p1t.statistics().openConnections());
        InetSocketAddress target =
            new InetSocketAddress(
                InetAddress.getLoopbackAddress(), victim.transport.localAddress().port());
        try (ConnectFlood flood =
            new ConnectFlood(flooders, target, 1_000, 2_000, 12_000).start()) {
          Thread.sleep(1_500);
          org.epost.overlay.transport.TransportContractTest.Endpoint p3 = fixture.endpoint();
          victim.transport.send(
              p3.transport.localAddress(),
              p3.id,
              TransportContractTestAccess.frameFrom(victim.id, new byte[] {3}));
          assertTrue(
              TcpFixture.await(() -> p3.count_() == 1, 10_000), "the victim's own dial works");
          long end = System.nanoTime() + 1_000_000_000L;
          while (System.nanoTime() < end) {
            assertEquals(
                1,
                p1t.statistics().openConnections(),
                "the identified peer keeps its connection under the flood");
            Thread.sleep(10);
          }
          org.epost.overlay.transport.TransportContractTest.Endpoint newcomer = fixture.endpoint();
          int before = victim.count_();
          long start = System.nanoTime();
          newcomer.transport.send(
              victim.transport.localAddress(),
              victim.id,
              TransportContractTestAccess.frameFrom(newcomer.id, new byte[] {5}));
          assertTrue(
              TcpFixture.await(() -> victim.count_() == before + 1, 10_000),
              "a newcomer's frame arrives within 10 s under the flood: victim "
                  + ((TcpTransport) victim.transport).statistics());
          System.out.println(
              "newcomer's first frame through a full handshake budget after "
                  + (System.nanoTime() - start) / 1_000_000
                  + " ms");
        }
      }
    }
  }
}
