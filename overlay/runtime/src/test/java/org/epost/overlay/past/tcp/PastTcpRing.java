package org.epost.overlay.past.tcp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.epost.crypto.api.NodeIdentity;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.store.DiskObjectStore;
import org.epost.overlay.past.store.LogObjectStore;
import org.epost.overlay.pastry.Pastry;
import org.epost.overlay.realtime.RealTimeLoop;
import org.epost.overlay.transport.tcp.NodeCredentials;
import org.epost.overlay.transport.tcp.TcpTransport;
import org.epost.overlay.transport.tcp.TcpTransportConfig;

/**
 * Test fixture: n PAST nodes in one JVM, each with its own event loop, TLS-over-TCP transport on
 * loopback, and disk store (one storage thread per node, as in the product).
 */
final class PastTcpRing implements AutoCloseable {
  static final class Member {
    RealTimeLoop loop;
    TcpTransport transport;
    OverlayNode node;
    Past past;
    ExecutorService disk;
    AutoCloseable store;
  }

  final List<Member> members = new ArrayList<>();
  private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

  PastTcpRing(int n, Path dir) throws Exception {
    this(n, dir, true);
  }

  /**
   * @param logStore true: each node stores in a {@link LogObjectStore} (group commit, ADR 0087);
   *     false: a {@link DiskObjectStore} (one file and two fsyncs per object, ADR 0073)
   */
  PastTcpRing(int n, Path dir, boolean logStore) throws Exception {
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < n; i++) {
      Member m = new Member();
      NodeCredentials creds = NodeCredentials.of(NodeIdentity.generate(random));
      m.loop = new RealTimeLoop("past-" + i);
      m.transport =
          TcpTransport.start(
              creds,
              m.loop,
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
              TcpTransportConfig.defaults(),
              io);
      m.disk = Executors.newSingleThreadExecutor(r -> new Thread(r, "past-disk"));
      NodeEnvironment env =
          new NodeEnvironment(
              m.loop, m.loop, m.loop.random(), m.transport, NodeEnvironment.HandleInterner.none());
      org.epost.overlay.past.api.ObjectStore store;
      if (logStore) {
        LogObjectStore log = LogObjectStore.open(dir.resolve("n" + i), 1L << 30, 8L << 20);
        m.store = log;
        store = log;
      } else {
        store = DiskObjectStore.open(dir.resolve("n" + i), 1L << 30, 8L << 20);
      }
      on(
          m,
          () -> {
            m.node = Pastry.newNode(creds.id(), env, PastryConfig.defaults());
            m.past = PastNodes.create(m.node, store, m.disk, PastConfig.defaults());
            return null;
          });
      members.add(m);
      if (i == 0) {
        on(
            m,
            () -> {
              m.node.createRing();
              return null;
            });
      } else {
        Member via = members.get(random.nextInt(i));
        on(
            m,
            () -> {
              m.node.join(List.of(via.transport.localAddress()));
              return null;
            });
      }
      long end = System.nanoTime() + 30_000_000_000L;
      while (!on(m, m.node::isReady)) {
        if (System.nanoTime() > end) {
          throw new IllegalStateException("node " + i + " did not join within 30 s");
        }
        Thread.sleep(10);
      }
    }
    Thread.sleep(2_000); // let leaf sets settle
  }

  static <T> T on(Member m, Supplier<T> f) {
    CompletableFuture<T> r = new CompletableFuture<>();
    m.loop.execute(() -> r.complete(f.get()));
    return r.join();
  }

  /**
   * Runs {@code op} on {@code m}'s loop and returns the stage it starts, as a future usable off the
   * loop.
   */
  static <T> CompletableFuture<T> call(
      Member m, Supplier<java.util.concurrent.CompletionStage<T>> op) {
    CompletableFuture<T> r = new CompletableFuture<>();
    m.loop.execute(
        () ->
            op.get()
                .whenComplete(
                    (v, e) -> {
                      if (e != null) {
                        r.completeExceptionally(e);
                      } else {
                        r.complete(v);
                      }
                    }));
    return r;
  }

  @Override
  public void close() {
    for (Member m : members) {
      try {
        on(
            m,
            () -> {
              m.past.stop();
              return null;
            });
        m.transport.close();
        m.loop.close();
      } catch (Exception e) {
        // best effort
      }
      m.disk.shutdownNow();
      if (m.store != null) {
        try {
          m.disk.awaitTermination(5, TimeUnit.SECONDS);
          m.store.close();
        } catch (Exception e) {
          // best effort
        }
      }
    }
    io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
