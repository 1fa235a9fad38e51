package org.epost.overlay.transport.tcp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load driver for docs/benchmarks/transport.md (not a unit test): one-way throughput and ping-pong
 * round trips between two TcpTransports on loopback, and the same over a plain TCP socket with the
 * same length-prefixed framing (no TLS) as the baseline. Run: {@code java -cp
 * overlay/runtime/target/classes:overlay/runtime/target/test-classes:$(cat cp.txt)
 * org.epost.overlay.transport.tcp.TransportBenchMain}
 */
public final class TransportBenchMain {
  /**
   * Arguments: none (3 rounds), a round count, {@code memory N [ENGINE]} (idle connections), or one
   * case for profiling: {@code transport ENGINE SIZE RUNS}, {@code netty-tls SIZE RUNS}, {@code
   * latency ROUNDS}, {@code ciphers ROUNDS}. Each round measures, back to back in this JVM, the
   * transport (default engine: OpenSSL where it loads), the transport on the JDK's TLS engine, a
   * plain-TLS baseline (JDK SSLSocket, same TLS 1.3 context and framing, no node logic), the TLS
   * ceiling of the transport's own stack (Netty on the default engine, same framing, no node logic;
   * ADR 0090) and the raw-TCP baseline (same framing, no TLS), and prints the ratios, so that load
   * from other processes hits them all alike. Warm-up runs first let the JIT compile the TLS path
   * (on a loaded 2-core machine that takes several seconds).
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("memory")) {
      memory(
          args.length > 1 ? Integer.parseInt(args[1]) : 100,
          args.length > 2 ? TlsEngine.valueOf(args[2]) : TlsEngine.AUTO);
      System.exit(0);
    }
    if (args.length > 0 && args[0].equals("ciphers")) {
      ciphers(args.length > 1 ? Integer.parseInt(args[1]) : 2);
      System.exit(0);
    }
    if (args.length > 0
        && args[0].equals("latency")) { // latency ROUNDS: ping-pong only, after a warm-up
      latencyTcp(5000);
      for (int r = 0; r < Integer.parseInt(args[1]); r++) {
        double[] lt = latencyTcp(5000);
        double[] lr = latencyRaw();
        System.out.printf(
            "added per hop ((transport - raw-tcp) / 2): p50 %.1f us, p99 %.1f us%n",
            (lt[0] - lr[0]) / 2, (lt[1] - lr[1]) / 2);
      }
      System.exit(0);
    }
    if (args.length > 0
        && args[0].equals("transport")) { // transport ENGINE SIZE RUNS: for profiling one case
      for (int i = 0; i < Integer.parseInt(args[3]); i++) {
        if (System.getProperty("bench.alternate") != null) {
          boolean on = i % 2 == 1;
          System.setProperty(System.getProperty("bench.alternate"), String.valueOf(on));
          System.out.print(on ? "ON  " : "OFF ");
        }
        throughputTcp(Integer.parseInt(args[2]), 1, TlsEngine.valueOf(args[1]));
      }
      System.exit(0);
    }
    if (args.length > 0
        && args[0].equals("netty-tls")) { // netty-tls SIZE RUNS: the ceiling alone, for profiling
      for (int i = 0; i < Integer.parseInt(args[2]); i++) {
        throughputNettyTls(Integer.parseInt(args[1]), 1);
      }
      System.exit(0);
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int[] sizes = {1024, 65536 - 64};
    // Warm-up: C2 keeps compiling the transport's TLS and pipeline code for several full runs on a
    // loaded 2-core machine (a perf profile showed the C2 thread at 44 % of the process's CPU in
    // the
    // second to fifth run), while the raw baseline's little code is compiled at once. Three full
    // runs of each kind measure the steady state a long-running node sees.
    int warmups = Integer.getInteger("bench.warmups", 3);
    System.out.println("warm-up (not reported): " + warmups + " full runs of each kind");
    for (int w = 0; w < warmups; w++) {
      for (int size : sizes) {
        throughputTcp(size, 1, TlsEngine.AUTO, false);
        throughputTcp(size, 1, TlsEngine.JDK, false);
        throughputTls(size, 2);
        throughputNettyTls(size, 2);
      }
    }
    latencyTcp(2000);
    for (int r = 1; r <= rounds; r++) {
      System.out.printf(
          "round %d, load average %.2f%n",
          r,
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      for (int size : sizes) {
        double t = throughputTcp(size, 1);
        double tJdk = throughputTcp(size, 1, TlsEngine.JDK);
        double tls = throughputTls(size, 1);
        double nettyTls = throughputNettyTls(size, 1);
        double raw = throughputRaw(size);
        System.out.printf(
            "ratio payload %6d B: transport/raw-tcp %.1f %%, transport-on-JDK-TLS/raw-tcp %.1f %%, "
                + "transport/plain-jdk-tls %.1f %%, plain-jdk-tls/raw-tcp %.1f %%%n",
            size, 100 * t / raw, 100 * tJdk / raw, 100 * t / tls, 100 * tls / raw);
        System.out.printf(
            "  netty-tls/raw-tcp %.1f %%, transport/netty-tls %.1f %%%n",
            100 * nettyTls / raw, 100 * t / nettyTls);
      }
      double[] lt = latencyTcp(5000);
      double[] lr = latencyRaw();
      System.out.printf(
          "added per hop ((transport - raw-tcp) / 2): p50 %.1f us, p99 %.1f us%n",
          (lt[0] - lr[0]) / 2, (lt[1] - lr[1]) / 2);
    }
    System.exit(0);
  }

  static long count(int size) {
    return size < 4096 ? 200_000 : 10_000;
  }

  static byte[] frame(NodeCredentials c, int size) {
    byte[] f = new byte[size];
    f[0] = 1;
    f[1] = 9;
    System.arraycopy(c.id().toBytes(), 0, f, 4, 20);
    return f;
  }

  /** Frames per second from one transport to another; {@code 1/divisor} of the frames (warm-up). */
  static double throughputTcp(int size, int divisor) throws Exception {
    return throughputTcp(size, divisor, TlsEngine.AUTO);
  }

  /** As {@link #throughputTcp(int, int)} with both transports on {@code engine} (ADR 0065). */
  static double throughputTcp(int size, int divisor, TlsEngine engine) throws Exception {
    return throughputTcp(size, divisor, engine, divisor == 1);
  }

  static double throughputTcp(int size, int divisor, TlsEngine engine, boolean reported)
      throws Exception {
    try (TcpFixture fx =
        new TcpFixture(
            TcpTransportConfig.defaults()
                .withMaxQueuedBytesPerPeer(64L << 20)
                .withTlsEngine(engine))) {
      AtomicLong got = new AtomicLong();
      NodeCredentials a =
          NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
      NodeCredentials b =
          NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
      TcpTransport ta = fx.transport(a, (from, f) -> {});
      TcpTransport tb = fx.transport(b, (from, f) -> got.incrementAndGet());
      byte[] f = frame(a, size);
      long n = count(size) / divisor;
      cpuAtStart = cpuNanos();
      long t0 = System.nanoTime();
      long sent = 0;
      java.util.concurrent.atomic.LongAdder dropped = ta.counters().droppedQueueFull;
      while (sent < n) {
        long before = dropped.sum();
        ta.send(tb.localAddress(), b.id(), f);
        if (dropped.sum() > before) {
          Thread.sleep(1);
        } else {
          sent++;
        }
      }
      TcpFixture.await(() -> got.get() >= n, 120_000);
      return report(
          reported ? "transport " + ta.tlsEngine() : "(warm-up)", size, n, System.nanoTime() - t0);
    }
  }

  /**
   * The plain-TLS baseline: the same TLS 1.3 contexts as the transport (JDK provider, the nodes'
   * Ed25519 certificates, {@link PeerTrust}) on blocking {@code SSLSocket}s, the same framing
   * written through a 64 KiB buffer, no node logic. Separates the cost of TLS from the transport's.
   */
  static double throughputTls(int size, int divisor) throws Exception {
    return throughputTls(size, divisor, null);
  }

  /** Plain-TLS throughput per TLS 1.3 cipher suite (ADR 0064), interleaved over {@code rounds}. */
  static void ciphers(int rounds) throws Exception {
    String[] suites = {
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"
    };
    for (String suite : suites) {
      throughputTls(1024, 4, suite);
      throughputTls(65536 - 64, 4, suite);
    }
    for (int r = 1; r <= rounds; r++) {
      System.out.printf(
          "round %d, load average %.2f%n",
          r,
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      for (String suite : suites) {
        System.out.println(suite);
        throughputTls(1024, 1, suite);
        throughputTls(65536 - 64, 1, suite);
      }
    }
  }

  static double throughputTls(int size, int divisor, String suite) throws Exception {
    return throughputTls(size, divisor, suite, TlsEngine.JDK);
  }

  /**
   * Plain TLS on {@code engine}'s {@code SSLSocket}s ({@link TlsEngine#JDK}: the only one with
   * sockets).
   */
  static double throughputTls(int size, int divisor, String suite, TlsEngine engine)
      throws Exception {
    NodeCredentials a =
        NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
    NodeCredentials b =
        NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
    javax.net.ssl.SSLContext server =
        ((io.netty.handler.ssl.JdkSslContext) engine.serverContext(b, PeerTrust.DERIVED)).context();
    javax.net.ssl.SSLContext client =
        ((io.netty.handler.ssl.JdkSslContext) engine.clientContext(a, PeerTrust.DERIVED)).context();
    try (javax.net.ssl.SSLServerSocket ss =
        (javax.net.ssl.SSLServerSocket)
            server
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ss.setNeedClientAuth(true);
      ss.setEnabledProtocols(new String[] {"TLSv1.3"});
      long n = count(size) / divisor;
      Thread reader = new Thread(() -> readFrames(ss, n));
      reader.start();
      cpuAtStart = cpuNanos();
      long t0 = System.nanoTime();
      try (javax.net.ssl.SSLSocket s =
          (javax.net.ssl.SSLSocket)
              client
                  .getSocketFactory()
                  .createSocket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        if (suite != null) {
          s.setEnabledCipherSuites(new String[] {suite});
        }
        s.setTcpNoDelay(true);
        writeFrames(s, size, n);
        reader.join();
      }
      return report(
          divisor == 1 ? "plain-tls " + engine : "(warm-up)", size, n, System.nanoTime() - t0);
    }
  }

  /**
   * The TLS ceiling of the transport's own stack (ADR 0090): two Netty channels on the transport's
   * default engine (OpenSSL where it loads), the nodes' certificates and {@link PeerTrust}, the
   * same framing written from this thread in 128 KiB direct chunks (as {@code Connection} does),
   * and a receiver that only counts the decrypted bytes: TLS and Netty, no node logic (no frame
   * decoding, no sender checks, no hand-off to a node loop).
   */
  static double throughputNettyTls(int size, int divisor) throws Exception {
    TlsEngine engine = TlsEngine.AUTO.resolve();
    NodeCredentials a =
        NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
    NodeCredentials b =
        NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
    io.netty.handler.ssl.SslContext server = engine.serverContext(b, PeerTrust.DERIVED);
    io.netty.handler.ssl.SslContext client = engine.clientContext(a, PeerTrust.DERIVED);
    long n = count(size) / divisor;
    long wire = n * (size + Frames.PREFIX + Frames.HEADER);
    AtomicLong received = new AtomicLong();
    // One I/O thread per end, as two transports have.
    io.netty.channel.EventLoopGroup serverGroup =
        new io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.netty.channel.nio.NioIoHandler.newFactory());
    io.netty.channel.EventLoopGroup clientGroup =
        new io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.netty.channel.nio.NioIoHandler.newFactory());
    try {
      io.netty.channel.Channel listener =
          new io.netty.bootstrap.ServerBootstrap()
              .group(serverGroup)
              .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
              .childOption(io.netty.channel.ChannelOption.ALLOCATOR, engine.allocator())
              .childHandler(
                  new io.netty.channel.ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                    @Override
                    protected void initChannel(io.netty.channel.socket.SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              server.newHandler(ch.alloc()),
                              new io.netty.channel.ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(
                                    io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                                  io.netty.buffer.ByteBuf buf = (io.netty.buffer.ByteBuf) msg;
                                  received.addAndGet(buf.readableBytes());
                                  buf.release();
                                }
                              });
                    }
                  })
              .bind(InetAddress.getLoopbackAddress(), 0)
              .sync()
              .channel();
      Object writable = new Object();
      io.netty.channel.Channel ch =
          new io.netty.bootstrap.Bootstrap()
              .group(clientGroup)
              .channel(io.netty.channel.socket.nio.NioSocketChannel.class)
              .option(io.netty.channel.ChannelOption.ALLOCATOR, engine.allocator())
              .option(io.netty.channel.ChannelOption.TCP_NODELAY, true)
              .option(
                  io.netty.channel.ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new io.netty.channel.WriteBufferWaterMark(8 << 20, 16 << 20))
              .handler(
                  new io.netty.channel.ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                    @Override
                    protected void initChannel(io.netty.channel.socket.SocketChannel c) {
                      c.pipeline()
                          .addLast(
                              client.newHandler(c.alloc()),
                              new io.netty.channel.ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelWritabilityChanged(
                                    io.netty.channel.ChannelHandlerContext ctx) {
                                  synchronized (writable) {
                                    writable.notifyAll();
                                  }
                                }
                              });
                    }
                  })
              .connect(listener.localAddress())
              .sync()
              .channel();
      ch.pipeline().get(io.netty.handler.ssl.SslHandler.class).handshakeFuture().sync();
      byte[] body = new byte[size];
      cpuAtStart = cpuNanos();
      long t0 = System.nanoTime();
      io.netty.buffer.ByteBuf chunk = null;
      for (long i = 0; i < n; i++) {
        if (chunk == null || chunk.maxWritableBytes() < size + Frames.PREFIX + Frames.HEADER) {
          if (chunk != null) {
            ch.writeAndFlush(chunk, ch.voidPromise());
          }
          synchronized (writable) {
            while (!ch.isWritable()) {
              writable.wait(10);
            }
          }
          chunk =
              ch.alloc()
                  .buffer(
                      Math.max(Connection.CHUNK_BYTES, size + 6),
                      Math.max(Connection.CHUNK_BYTES, size + 6));
        }
        Frames.write(chunk, Frames.DATA, body);
      }
      ch.writeAndFlush(chunk, ch.voidPromise());
      TcpFixture.await(() -> received.get() >= wire, 120_000);
      double r =
          report(
              divisor == 1 ? "netty-tls " + engine : "(warm-up)", size, n, System.nanoTime() - t0);
      ch.close().sync();
      listener.close().sync();
      return r;
    } finally {
      clientGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
      serverGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }

  private static void readFrames(ServerSocket ss, long n) {
    try (Socket s = ss.accept();
        DataInputStream in =
            new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16))) {
      for (long i = 0; i < n; i++) {
        int len = in.readInt();
        in.readByte();
        in.readByte();
        byte[] body = new byte[len - 2];
        in.readFully(body);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeFrames(Socket s, int size, long n) throws java.io.IOException {
    DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
    byte[] body = new byte[size];
    for (long i = 0; i < n; i++) {
      out.writeInt(size + 2);
      out.write(1);
      out.write(2);
      out.write(body);
    }
    out.flush();
  }

  static double throughputRaw(int size) throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      long n = count(size);
      Thread reader = new Thread(() -> readFrames(ss, n));
      reader.start();
      cpuAtStart = cpuNanos();
      long t0 = System.nanoTime();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
        s.setTcpNoDelay(true);
        writeFrames(s, size, n);
        reader.join();
      }
      return report("raw-tcp", size, n, System.nanoTime() - t0);
    }
  }

  /** This process's CPU time (all threads) when the last measured transfer started. */
  private static long cpuAtStart;

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Prints throughput and the process's CPU time per megabyte moved (all threads, both ends; a
   * figure that other processes' load does not change, unlike throughput).
   */
  static double report(String what, int size, long n, long nanos) {
    double s = nanos / 1e9;
    double mb = n * (double) size / 1e6;
    System.out.printf(
        "%-10s payload %6d B: %9.0f msgs/s %8.1f MB/s  cpu %6.2f ms/MB%n",
        what, size, n / s, mb / s, (cpuNanos() - cpuAtStart) / 1e6 / mb);
    return n / s;
  }

  /** Round trips between two transports; returns p50 and p99 in microseconds. */
  static double[] latencyTcp(int samples) throws Exception {
    try (TcpFixture fx = new TcpFixture(TcpTransportConfig.defaults())) {
      NodeCredentials a =
          NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
      NodeCredentials b =
          NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
      java.util.concurrent.LinkedBlockingQueue<Boolean> back =
          new java.util.concurrent.LinkedBlockingQueue<>(); // offer never loses a reply
      byte[] fa = frame(a, 1024);
      byte[] fb = frame(b, 1024);
      TcpTransport[] tb = new TcpTransport[1];
      TcpTransport ta = fx.transport(a, (from, f) -> back.offer(true));
      tb[0] = fx.transport(b, (from, f) -> tb[0].send(from, a.id(), fb.clone()));
      long[] rtt = new long[samples];
      for (int i = -1000; i < rtt.length; i++) {
        cpuAtStart = cpuNanos();
        long t0 = System.nanoTime();
        ta.send(tb[0].localAddress(), b.id(), fa.clone());
        back.take();
        if (i >= 0) {
          rtt[i] = System.nanoTime() - t0;
        }
      }
      return percentiles("transport", rtt);
    }
  }

  static double[] latencyRaw() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread echo =
          new Thread(
              () -> {
                try (Socket s = ss.accept();
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
                  s.setTcpNoDelay(true);
                  byte[] buf = new byte[1026];
                  while (true) {
                    int len = in.readInt();
                    in.readFully(buf, 0, len);
                    out.writeInt(len);
                    out.write(buf, 0, len);
                    out.flush();
                  }
                } catch (Exception e) {
                  // closed
                }
              });
      echo.setDaemon(true);
      echo.start();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
          DataInputStream in = new DataInputStream(s.getInputStream());
          DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
        s.setTcpNoDelay(true);
        byte[] buf = new byte[1026];
        long[] rtt = new long[5000];
        for (int i = -1000; i < rtt.length; i++) {
          cpuAtStart = cpuNanos();
          long t0 = System.nanoTime();
          out.writeInt(1026);
          out.write(buf);
          out.flush();
          in.readFully(buf, 0, in.readInt());
          if (i >= 0) {
            rtt[i] = System.nanoTime() - t0;
          }
        }
        return percentiles("raw-tcp", rtt);
      }
    }
  }

  static double[] percentiles(String what, long[] rtt) {
    Arrays.sort(rtt);
    double p50 = rtt[rtt.length / 2] / 1e3;
    double p99 = rtt[rtt.length * 99 / 100] / 1e3;
    System.out.printf(
        "%-10s 1 KiB round trip (2 hops): p50 %6.1f us  p99 %7.1f us%n", what, p50, p99);
    return new double[] {p50, p99};
  }

  /**
   * Heap and direct memory of idle TLS connections: one hub and {@code n} client transports in this
   * JVM, the clients sharing one I/O thread (as nodes in one JVM do). Memory is read after GC with
   * half the clients connected and with all connected; the slope (so per-thread allocator caches
   * and transport set-up cancel out) divided by two gives one connection end, i.e. what one more
   * idle peer costs a node.
   */
  static void memory(int n, TlsEngine engine) throws Exception {
    TcpTransportConfig config = TcpTransportConfig.defaults().withTlsEngine(engine);
    io.netty.channel.EventLoopGroup shared =
        new io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.netty.channel.nio.NioIoHandler.newFactory());
    try (TcpFixture fx = new TcpFixture(config)) {
      AtomicLong got = new AtomicLong();
      NodeCredentials hubCreds =
          NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
      TcpTransport hub = fx.transport(hubCreds, (from, f) -> got.incrementAndGet());
      TcpTransport[] clients = new TcpTransport[n];
      NodeCredentials[] creds = new NodeCredentials[n];
      org.epost.overlay.realtime.RealTimeLoop loop =
          new org.epost.overlay.realtime.RealTimeLoop("clients");
      for (int i = 0; i < n; i++) {
        creds[i] =
            NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
        clients[i] =
            TcpTransport.start(
                creds[i],
                loop,
                new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                config,
                shared);
        clients[i].setReceiver((from, f) -> {});
      }
      long[] base = usedAfterGc();
      int half = n / 2;
      connect(clients, creds, 0, half, hub, hubCreds, got);
      long[] mid = usedAfterGc();
      connect(clients, creds, half, n, hub, hubCreds, got);
      long[] all = usedAfterGc();
      int open = hub.statistics().openConnections();
      double heapPerEnd = (all[0] - mid[0]) / (2.0 * (n - half));
      double directPerEnd = (all[1] - mid[1]) / (2.0 * (n - half));
      System.out.printf(
          "JVM heap used after GC: %.1f MiB with %d transports and no connections, %.1f MiB with %d, "
              + "%.1f MiB with %d connections (both ends in this JVM); direct %.1f / %.1f / %.1f MiB%n",
          base[0] / 1048576.0,
          n + 1,
          mid[0] / 1048576.0,
          half,
          all[0] / 1048576.0,
          n,
          base[1] / 1048576.0,
          mid[1] / 1048576.0,
          all[1] / 1048576.0);
      System.out.printf(
          "idle connection end (slope %d -> %d connections): heap %.1f KiB, direct %.1f KiB; "
              + "hub has %d open%n",
          half, n, heapPerEnd / 1024, directPerEnd / 1024, open);
      System.out.printf(
          "a node's connection state with %d idle connections: about %.1f MiB (heap + direct)%n",
          n, n * (heapPerEnd + directPerEnd) / 1048576.0);
      double rssPerEnd = (all[2] - mid[2]) / (2.0 * (n - half));
      System.out.printf(
          "process resident set: %.1f / %.1f / %.1f MiB; slope per idle connection end %.1f KiB "
              + "(heap, direct and native TLS state together, plus whatever else grew)%n",
          base[2] / 1048576.0, mid[2] / 1048576.0, all[2] / 1048576.0, rssPerEnd / 1024);
      for (TcpTransport c : clients) {
        c.close();
      }
      loop.close();
    } finally {
      shared.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static void connect(
      TcpTransport[] clients,
      NodeCredentials[] creds,
      int from,
      int to,
      TcpTransport hub,
      NodeCredentials hubCreds,
      AtomicLong got)
      throws InterruptedException {
    for (int i = from; i < to; i++) {
      clients[i].send(hub.localAddress(), hubCreds.id(), frame(creds[i], 64));
    }
    if (!TcpFixture.await(() -> got.get() == to, 120_000)) {
      throw new IllegalStateException(
          "only " + got.get() + " of " + to + " connections carried their frame");
    }
  }

  private static long[] usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    java.lang.management.MemoryUsage heap =
        java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long direct = 0;
    for (java.lang.management.BufferPoolMXBean b :
        java.lang.management.ManagementFactory.getPlatformMXBeans(
            java.lang.management.BufferPoolMXBean.class)) {
      if (b.getName().equals("direct")) {
        direct = b.getMemoryUsed();
      }
    }
    // Netty's own direct memory (allocated without a Cleaner, not in the "direct" pool) and the
    // process's resident set, which also holds BoringSSL's native per-connection state.
    direct += Math.max(0, io.netty.util.internal.PlatformDependent.usedDirectMemory());
    return new long[] {heap.getUsed(), direct, residentBytes()};
  }

  /** VmRSS of this process (Linux), or 0 where /proc is not there. */
  private static long residentBytes() {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException e) {
      // not Linux
    }
    return 0;
  }

  private TransportBenchMain() {}
}
