package org.epost.overlay.transport.tcp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

/**
 * Pastry nodes on loopback TCP in one JVM, each with its own I/O thread and listening address (any
 * of 127.0.0.0/8), and an application that completes a future per routed message. Test scope: the
 * flood test and its benchmark.
 */
final class LoopbackRing implements AutoCloseable {
  static final int APP = 100;

  static final class Node {
    RealTimeLoop loop;
    EventLoopGroup io;
    TcpTransport transport;
    OverlayNode node;
    AppEndpoint app;

    Id id() {
      return transport.localId();
    }

    boolean ready() {
      CompletableFuture<Boolean> r = new CompletableFuture<>();
      loop.execute(() -> r.complete(node.isReady()));
      return r.join();
    }
  }

  final List<Node> nodes = new ArrayList<>();
  private final Map<Long, CompletableFuture<Id>> deliveries = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();

  /** Starts a node listening on {@code host}; joins through {@code via}, or creates the ring. */
  Node start(InetAddress host, TcpTransportConfig config, Node via) throws Exception {
    Node n = new Node();
    NodeCredentials creds = NodeCredentials.of(NodeIdentity.generate(TcpFixture.RANDOM));
    n.loop = new RealTimeLoop("ring-" + creds.id());
    n.io = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    n.transport = TcpTransport.start(creds, n.loop, new InetSocketAddress(host, 0), config, n.io);
    nodes.add(n);
    NodeEnvironment env =
        new NodeEnvironment(
            n.loop, n.loop, n.loop.random(), n.transport, NodeEnvironment.HandleInterner.none());
    CompletableFuture<Void> made = new CompletableFuture<>();
    n.loop.execute(
        () -> {
          n.node = Pastry.newNode(creds.id(), env, PastryConfig.defaults());
          n.app =
              n.node.register(
                  APP,
                  new OverlayApplication() {
                    @Override
                    public void deliver(RoutedMessage m) {
                      CompletableFuture<Id> f =
                          deliveries.remove(ByteBuffer.wrap(m.payload()).getLong());
                      if (f != null) {
                        f.complete(n.id());
                      }
                    }
                  });
          if (via == null) {
            n.node.createRing();
          } else {
            n.node.join(List.of(via.transport.localAddress()));
          }
          made.complete(null);
        });
    made.get(10, TimeUnit.SECONDS);
    return n;
  }

  /**
   * Routes {@code key} from {@code from}; the future completes with the id of the node it reached.
   */
  CompletableFuture<Id> route(Node from, Id key) {
    long s = seq.incrementAndGet();
    CompletableFuture<Id> got = new CompletableFuture<>();
    deliveries.put(s, got);
    from.loop.execute(() -> from.app.route(key, ByteBuffer.allocate(8).putLong(s).array(), null));
    return got;
  }

  /** The node whose id is closest to {@code key}: where a route must end. */
  Id rootOf(Id key) {
    return nodes.stream().map(Node::id).min(Id.byClosenessTo(key)).orElseThrow();
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Node n = nodes.get(i);
      n.transport.close();
      n.loop.close();
      n.io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
