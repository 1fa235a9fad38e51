package org.epost.overlay.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import org.epost.overlay.api.Address;
import org.epost.overlay.transport.TransportContractTest;

/**
 * The transport contract over loopback TCP with TLS 1.3 and real node keys, on the OpenSSL engine
 * (ADR 0090; fails if netty-tcnative's BoringSSL does not load here). {@link
 * JdkTlsTransportContractTest} runs the same contract on the JDK engine.
 */
class TcpTransportContractTest extends TransportContractTest {
  /** The TLS engine every endpoint of this suite runs. */
  protected TlsEngine engine() {
    return TlsEngine.OPENSSL;
  }

  @Override
  protected Network network() {
    TcpFixture fixture = new TcpFixture(TcpTransportConfig.defaults().withTlsEngine(engine()));
    return new Network() {
      public Endpoint newEndpoint() throws Exception {
        Endpoint e = fixture.endpoint();
        assertEquals(
            engine(), ((TcpTransport) e.transport).tlsEngine(), "the engine the suite asked for");
        return e;
      }

      public void runUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        TcpFixture.await(done, 10_000);
      }

      public void close() {
        fixture.close();
      }
    };
  }

  @Override
  protected void assertNoMisdirectedFrameWasSent(Endpoint sender, Endpoint impostor)
      throws Exception {
    TcpTransport t = (TcpTransport) sender.transport;
    assertTrue(
        TcpFixture.await(() -> t.statistics().unexpectedPeers() == 1, 10_000),
        "the connection to the impostor was refused after the handshake: " + t.statistics());
    assertTrue(
        TcpFixture.await(
            () -> sender.unreachableHints().contains(impostor.transport.localAddress()), 10_000),
        "the node was told the expected node is unreachable there");
    assertEquals(1, impostor.count_(), "the queued frame for the victim's id was never written");
  }

  @Override
  protected Address deadAddress() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return Address.inet(new byte[] {127, 0, 0, 1}, s.getLocalPort()); // closed again: refused
    }
  }
}
