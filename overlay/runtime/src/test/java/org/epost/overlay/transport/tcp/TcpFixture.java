package org.epost.overlay.transport.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.epost.crypto.api.NodeIdentity;
import org.epost.overlay.realtime.RealTimeLoop;
import org.epost.overlay.transport.TransportContractTest.Endpoint;

/** Starts TCP transports with fresh node keys on loopback and closes them all. Test scope. */
final class TcpFixture implements AutoCloseable {
  static final SecureRandom RANDOM = new SecureRandom();
  private final TcpTransportConfig config;
  private final List<AutoCloseable> open = new ArrayList<>();

  TcpFixture(TcpTransportConfig config) {
    this.config = config;
  }

  /** A transport for a fresh identity, delivering to an {@link Endpoint} on its own loop. */
  Endpoint endpoint() throws Exception {
    NodeCredentials creds = NodeCredentials.of(NodeIdentity.generate(RANDOM));
    Endpoint e = new Endpoint(creds.id());
    e.transport = transport(creds, e);
    return e;
  }

  TcpTransport transport(NodeCredentials creds, org.epost.overlay.api.FrameReceiver receiver)
      throws Exception {
    return transport(creds, receiver, config);
  }

  /** A transport with its own configuration (e.g. its own ring-authority verifier). */
  TcpTransport transport(
      NodeCredentials creds, org.epost.overlay.api.FrameReceiver receiver, TcpTransportConfig cfg)
      throws Exception {
    RealTimeLoop loop = new RealTimeLoop("loop-" + creds.id());
    open.add(loop);
    TcpTransport t =
        TcpTransport.start(
            creds, loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), cfg, null);
    t.setReceiver(receiver);
    open.add(t);
    return t;
  }

  static boolean await(BooleanSupplier done, long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  @Override
  public void close() {
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        // closing is best effort in tests
      }
    }
  }
}
