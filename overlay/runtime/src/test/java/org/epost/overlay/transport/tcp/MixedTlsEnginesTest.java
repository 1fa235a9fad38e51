package org.epost.overlay.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.epost.crypto.api.NodeIdentity;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.FrameReceiver;
import org.junit.jupiter.api.Test;

/**
 * Nodes on different TLS engines form one ring (ADR 0090): a node whose OpenSSL library does not
 * load falls back to the JDK engine, and must still reach and prove itself to the others. Each
 * direction of the handshake is tried (either engine dialling), with a frame each way, the senders'
 * addresses as the receivers see them, and no refusal on either side.
 */
class MixedTlsEnginesTest {
  @Test
  void anOpenSslNodeDialsAJdkNode() throws Exception {
    exchange(TlsEngine.OPENSSL, TlsEngine.JDK);
  }

  @Test
  void aJdkNodeDialsAnOpenSslNode() throws Exception {
    exchange(TlsEngine.JDK, TlsEngine.OPENSSL);
  }

  private static void exchange(TlsEngine dialler, TlsEngine listener) throws Exception {
    try (TcpFixture fx = new TcpFixture(TcpTransportConfig.defaults())) {
      Node a = new Node(fx, dialler);
      Node b = new Node(fx, listener);
      byte[] ping =
          TransportContractTestAccess.frameFrom(
              a.creds.id(), "ping".getBytes(StandardCharsets.US_ASCII));
      a.transport.send(b.transport.localAddress(), b.creds.id(), ping.clone());
      assertTrue(
          TcpFixture.await(() -> b.frames.size() == 1, 10_000),
          "the listener received the dialler's frame");
      byte[] pong =
          TransportContractTestAccess.frameFrom(
              b.creds.id(), "pong".getBytes(StandardCharsets.US_ASCII));
      b.transport.send(b.senders.get(0), a.creds.id(), pong.clone());
      assertTrue(
          TcpFixture.await(() -> a.frames.size() == 1, 10_000), "the dialler received the answer");

      assertArrayEquals(ping, b.frames.get(0));
      assertArrayEquals(pong, a.frames.get(0));
      assertEquals(
          a.transport.localAddress(), b.senders.get(0), "the listener saw the dialler's address");
      assertEquals(b.transport.localAddress(), a.senders.get(0));
      for (Node n : List.of(a, b)) {
        TransportStatistics s = n.transport.statistics();
        assertEquals(
            0,
            s.handshakeFailures()
                + s.identityMismatches()
                + s.rejectedFrames()
                + s.unexpectedPeers(),
            "no refusal: " + s);
      }
      assertEquals(dialler, a.transport.tlsEngine());
      assertEquals(listener, b.transport.tlsEngine());
    }
  }

  /** A transport on {@code engine} that records what it receives. */
  private static final class Node implements FrameReceiver {
    final NodeCredentials creds = NodeCredentials.of(NodeIdentity.generate(TcpFixture.RANDOM));
    final List<byte[]> frames = new CopyOnWriteArrayList<>();
    final List<Address> senders = new CopyOnWriteArrayList<>();
    final TcpTransport transport;

    Node(TcpFixture fx, TlsEngine engine) throws Exception {
      transport = fx.transport(creds, this, TcpTransportConfig.defaults().withTlsEngine(engine));
    }

    @Override
    public void receive(Address sender, byte[] frame) {
      senders.add(sender);
      frames.add(frame);
    }

    @Override
    public void unreachable(Address to) {}
  }
}
