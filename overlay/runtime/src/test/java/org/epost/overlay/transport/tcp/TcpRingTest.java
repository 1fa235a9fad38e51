package org.epost.overlay.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.api.NodeIdentity;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.api.RoutedMessage;
import org.epost.overlay.pastry.Pastry;
import org.epost.overlay.realtime.RealTimeLoop;
import org.junit.jupiter.api.Test;

/**
 * Thirty Pastry nodes in one JVM on loopback TCP with TLS: every key reaches its numerically
 * closest node.
 */
class TcpRingTest {
  static final int LOOKUP = 100;

  static final class RingNode {
    RealTimeLoop loop;
    TcpTransport transport;
    OverlayNode node;
    AppEndpoint app;
  }

  @Test
  void thirtyNodesOnLoopbackRouteEveryKeyToItsRoot() throws Exception {
    EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    List<RingNode> ring = new ArrayList<>();
    Map<Long, CompletableFuture<Id>> deliveries = new ConcurrentHashMap<>();
    try {
      for (int i = 0; i < 30; i++) {
        RingNode n = start(io, deliveries);
        ring.add(n);
        if (i == 0) {
          n.loop.execute(n.node::createRing);
        } else {
          RingNode via = ring.get(new Random(i).nextInt(i));
          n.loop.execute(() -> n.node.join(List.of(via.transport.localAddress())));
        }
        assertTrue(
            TcpFixture.await(() -> onLoop(n, n.node::isReady), 30_000), "node " + i + " joined");
      }
      Random r = new Random(42);
      List<Id> ids = new ArrayList<>();
      ring.forEach(n -> ids.add(n.transport.localId()));
      for (long k = 0; k < 100; k++) {
        Id key = Id.of(r.nextLong(), r.nextLong(), r.nextInt());
        RingNode from = ring.get(r.nextInt(ring.size()));
        CompletableFuture<Id> got = new CompletableFuture<>();
        deliveries.put(k, got);
        long seq = k;
        from.loop.execute(
            () -> from.app.route(key, ByteBuffer.allocate(8).putLong(seq).array(), null));
        Id expected = ids.stream().min(Id.byClosenessTo(key)).orElseThrow();
        assertEquals(expected, got.get(20, TimeUnit.SECONDS), "root of key " + key);
      }
      for (RingNode n : ring) {
        assertEquals(0, n.transport.statistics().handshakeFailures());
        assertEquals(0, n.transport.statistics().identityMismatches());
      }
    } finally {
      for (RingNode n : ring) {
        n.transport.close();
        n.loop.close();
      }
      io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  static <T> T onLoop(RingNode n, java.util.function.Supplier<T> f) {
    CompletableFuture<T> r = new CompletableFuture<>();
    n.loop.execute(() -> r.complete(f.get()));
    return r.join();
  }

  private static RingNode start(EventLoopGroup io, Map<Long, CompletableFuture<Id>> deliveries)
      throws Exception {
    RingNode n = new RingNode();
    NodeCredentials creds = NodeCredentials.of(NodeIdentity.generate(TcpFixture.RANDOM));
    n.loop = new RealTimeLoop("ring-" + creds.id());
    n.transport =
        TcpTransport.start(
            creds,
            n.loop,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            TcpTransportConfig.defaults(),
            io);
    NodeEnvironment env =
        new NodeEnvironment(
            n.loop, n.loop, n.loop.random(), n.transport, NodeEnvironment.HandleInterner.none());
    CompletableFuture<Void> made = new CompletableFuture<>();
    n.loop.execute(
        () -> {
          n.node = Pastry.newNode(creds.id(), env, PastryConfig.defaults());
          n.app =
              n.node.register(
                  LOOKUP,
                  new OverlayApplication() {
                    @Override
                    public void deliver(RoutedMessage m) {
                      CompletableFuture<Id> f =
                          deliveries.get(ByteBuffer.wrap(m.payload()).getLong());
                      if (f != null) {
                        f.complete(n.transport.localId());
                      }
                    }
                  });
          made.complete(null);
        });
    made.get(10, TimeUnit.SECONDS);
    return n;
  }
}
