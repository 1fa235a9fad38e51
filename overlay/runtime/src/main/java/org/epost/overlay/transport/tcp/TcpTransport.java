package org.epost.overlay.transport.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.FrameReceiver;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.Scheduler;
import org.epost.overlay.api.Transport;

/**
 * The overlay's {@link Transport} over TCP: TLS 1.3 mutually authenticated with the nodes' Ed25519
 * identity keys (ADR 0060; P-256 TLS keys bound to them, ADR 0065; OpenSSL or JDK engine, ADR
 * 0090), length-prefixed versioned frames (ADR 0061), one reused connection per peer.
 *
 * <p>Threads: Netty I/O threads (a small group, shared or owned) run TLS, framing and checks;
 * accepted frames and {@code unreachable} hints are handed to the node's loop with {@link
 * Scheduler#execute}. {@link #send} may be called from any thread (normally the node loop) and
 * never blocks. Bounds: {@link TcpTransportConfig}, plus a cap on bytes handed to the loop and not
 * yet processed (reading pauses above it).
 *
 * <p>Liveness: the transport declares nobody dead. A refused or failed connect, or a connection
 * lost with frames still queued, gives the node an {@code unreachable} hint; the overlay's own
 * heartbeats and acknowledgement timeouts (the same code the simulator runs) decide failure.
 */
public final class TcpTransport implements Transport, AutoCloseable {
  static final System.Logger LOG = System.getLogger("org.epost.overlay.transport");

  /** Bytes handed to the node loop and not yet processed above which reading pauses. */
  static final long MAX_INBOUND_IN_FLIGHT = 16L << 20;

  /** How often the refusal summary is logged (when anything was refused). */
  static final long SUMMARY_INTERVAL_MILLIS = 10_000;

  private final NodeCredentials credentials;
  private final Scheduler loop;
  private final TcpTransportConfig config;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final PeerTrust trust;
  private final SslContext serverTls;
  private final SslContext clientTls;
  private final TlsEngine engine;
  private final Counters counters = new Counters();
  private final HandshakeAdmission admission;
  private final RefusalLog refusals = new RefusalLog(LOG, SUMMARY_INTERVAL_MILLIS);
  private volatile io.netty.util.concurrent.Future<?> summaryTimer;

  /** Connections for reuse, keyed by the peer's address and the id it proved or must prove. */
  private final Map<PeerKey, Connection> connections = new ConcurrentHashMap<>();

  private final AtomicLong inboundInFlight = new AtomicLong();
  private final ConcurrentLinkedQueue<Channel> paused = new ConcurrentLinkedQueue<>();

  /** Accepted frames waiting for the node loop; bounded in bytes by {@link #inboundInFlight}. */
  private final ConcurrentLinkedQueue<InboundBatch> inbox = new ConcurrentLinkedQueue<>();

  private final AtomicBoolean inboxScheduled = new AtomicBoolean();
  private final InetAddress listenHost;
  private volatile Channel server;
  private volatile Address localAddress;
  private volatile FrameReceiver receiver;
  private volatile boolean closed;

  private TcpTransport(
      NodeCredentials credentials,
      Scheduler loop,
      TcpTransportConfig config,
      EventLoopGroup group,
      InetAddress listenHost)
      throws SSLException {
    this.credentials = credentials;
    this.loop = loop;
    this.config = config;
    this.ownsGroup = group == null;
    this.group =
        group != null
            ? group
            : new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("overlay-io", true), NioIoHandler.newFactory());
    this.listenHost = listenHost;
    this.admission =
        new HandshakeAdmission(config.maxHandshaking(), config.maxHandshakingPerAddress());
    this.trust =
        config.ringAuthority() == null
            ? PeerTrust.DERIVED
            : PeerTrust.ringAuthority(config.ringAuthority());
    this.engine = config.tlsEngine().resolve();
    this.serverTls = engine.serverContext(credentials, trust);
    this.clientTls = engine.clientContext(credentials, trust);
  }

  /** The TLS engine this transport runs ({@link TlsEngine#OPENSSL} or {@link TlsEngine#JDK}). */
  public TlsEngine tlsEngine() {
    return engine;
  }

  /**
   * Starts listening on {@code host:port} (port 0 picks a free one) and returns the running
   * transport. Frames reach the node through {@code loop}.
   *
   * @param ioGroup Netty I/O threads to share (many nodes in one JVM), or null for a private one
   * @throws java.io.IOException if the address cannot be bound (in use, not local)
   * @throws IllegalArgumentException if {@code config} is in ring-authority mode and the
   *     credentials carry no node certificate, or one its verifier refuses (expired, revoked,
   *     another authority's): the node could not prove its id to any peer
   */
  public static TcpTransport start(
      NodeCredentials credentials,
      Scheduler loop,
      InetSocketAddress listen,
      TcpTransportConfig config,
      EventLoopGroup ioGroup)
      throws java.io.IOException {
    Objects.requireNonNull(listen, "listen");
    if (listen.isUnresolved() || listen.getAddress().isAnyLocalAddress()) {
      throw new IllegalArgumentException(
          "listen on a concrete local IP address, not "
              + listen
              + ": the address is what other nodes dial");
    }
    checkOwnCertificate(credentials, config);
    TcpTransport t =
        new TcpTransport(
            Objects.requireNonNull(credentials),
            Objects.requireNonNull(loop),
            Objects.requireNonNull(config),
            ioGroup,
            listen.getAddress());
    t.bind(listen);
    LOG.log(
        Level.INFO,
        "node {0} listens on {1} with TLS engine {2}{3}",
        credentials.id(),
        t.localAddress(),
        t.engine.description(),
        t.engine == TlsEngine.JDK && config.tlsEngine() == TlsEngine.AUTO
            ? " (" + TlsEngine.openSslUnavailableReason() + ")"
            : "");
    return t;
  }

  private static void checkOwnCertificate(NodeCredentials credentials, TcpTransportConfig config) {
    if (config.ringAuthority() == null) {
      return;
    }
    if (credentials.ringCertificate() == null) {
      throw new IllegalArgumentException(
          "this ring has an authority: the node needs credentials with a node "
              + "certificate from it (NodeCredentials.withRingCertificate), not an id derived from its key");
    }
    try {
      // The host's clock: a start-up check on the caller's thread, before any loop runs; peers
      // check this certificate against their own host clock in PeerTrust.
      config.ringAuthority().verify(credentials.ringCertificate(), java.time.Instant.now());
    } catch (org.epost.crypto.api.VerificationException e) {
      throw new IllegalArgumentException(
          "this node's own ring certificate would be refused by its peers: " + e.getMessage(), e);
    }
  }

  PeerTrust trust() {
    return trust;
  }

  private void bind(InetSocketAddress listen) throws java.io.IOException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 128)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, engine.allocator())
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    acceptInbound(ch);
                  }
                });
    try {
      server = b.bind(listen).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      close();
      throw new java.io.IOException("cannot listen on " + listen + ": " + e.getMessage(), e);
    }
    summaryTimer =
        group
            .next()
            .scheduleAtFixedRate(
                refusals::flush,
                SUMMARY_INTERVAL_MILLIS,
                SUMMARY_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    localAddress = Address.inet(bound.getAddress().getAddress(), bound.getPort());
  }

  private void acceptInbound(SocketChannel ch) {
    InetAddress from = ch.remoteAddress() == null ? null : ch.remoteAddress().getAddress();
    if (closed || from == null) {
      ch.close();
      return;
    }
    int established = counters.established.get();
    if (established >= config.maxConnections()) {
      refuse(
          ch,
          from,
          RefusalLog.Refusal.CONNECTION_CAP,
          established + " identified connections open (the cap)");
      return;
    }
    Connection conn =
        new Connection(
            false, null, null, config.maxQueuedBytesPerPeer(), counters, engine.allocator());
    HandshakeAdmission.Result admitted = admission.admit(conn, from, System.nanoTime());
    switch (admitted.verdict()) {
      case OVER_ADDRESS_LIMIT -> {
        counters.refusedOverAddressLimit.increment();
        refuse(
            ch,
            from,
            RefusalLog.Refusal.ADDRESS_LIMIT,
            config.maxHandshakingPerAddress()
                + " connections from its address are still handshaking (the per-address limit)");
        return;
      }
      case OVER_BUDGET -> {
        refuse(
            ch,
            from,
            RefusalLog.Refusal.HANDSHAKE_BUDGET,
            config.maxHandshaking()
                + " connections are handshaking, none for a second yet (the handshake budget)");
        return;
      }
      case ADMITTED -> {}
    }
    if (admitted.evicted() != null) {
      counters.evictedHandshakes.increment();
      admitted.evicted().evicted = true;
      Channel stale = admitted.evicted().channel;
      refusals.refused(
          RefusalLog.Refusal.EVICTED,
          ((InetSocketAddress) stale.remoteAddress()).getAddress(),
          "the handshake budget was full and it was the oldest silent connection (or, all having"
              + " spoken, the oldest past its grace second); closed to make room");
      stale.close();
    }
    conn.channel = ch;
    counters.open.incrementAndGet();
    SslHandler ssl = serverTls.newHandler(ch.alloc());
    ssl.setHandshakeTimeoutMillis(config.handshakeTimeoutMillis());
    pipeline(ch, ssl, conn);
  }

  private void refuse(SocketChannel ch, InetAddress from, RefusalLog.Refusal why, String detail) {
    counters.refusedConnections.increment();
    refusals.refused(why, from, detail);
    ch.close();
  }

  /**
   * An inbound connection finished TLS and hello: it leaves the handshake budget and counts against
   * the connection cap. On its I/O thread.
   */
  void identified(Connection conn) {
    admission.release(conn);
    conn.countsAgainstCap = true;
    counters.established.incrementAndGet();
  }

  /** An inbound connection sent its first bytes (normally its TLS ClientHello). */
  void spoke(Connection conn) {
    admission.spoke(conn);
  }

  /** The rate-limited log of refusals and closes (ADR 0097). */
  RefusalLog refusals() {
    return refusals;
  }

  private void pipeline(SocketChannel ch, SslHandler ssl, Connection conn) {
    if (!conn.outbound) {
      ch.pipeline().addLast("first-byte", new FirstByte(conn));
    }
    ch.pipeline()
        .addLast("tls", ssl)
        .addLast(
            "idle", new IdleStateHandler(0, 0, config.idleCloseMillis(), TimeUnit.MILLISECONDS))
        .addLast("frames", new FrameDecoder(config.frameTimeoutMillis(), counters))
        .addLast("peer", new PeerHandler(this, conn));
  }

  @Override
  public Address localAddress() {
    return localAddress;
  }

  /** This node's id, as proven to peers. */
  public Id localId() {
    return credentials.id();
  }

  @Override
  public void setReceiver(FrameReceiver receiver) {
    this.receiver = Objects.requireNonNull(receiver);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Connections are held per (address, expected id): a connection whose peer proves another id
   * than {@code expectedId} is closed right after the TLS handshake, before any frame is written,
   * counted as {@link TransportStatistics#unexpectedPeers}, logged, and the node gets an {@code
   * unreachable} hint for {@code to}.
   */
  @Override
  public void send(Address to, Id expectedId, byte[] frame) {
    if (frame.length > MAX_FRAME_BYTES) {
      throw new IllegalArgumentException(
          "frame of " + frame.length + " bytes exceeds " + MAX_FRAME_BYTES);
    }
    if (closed || to.isVirtual()) {
      return;
    }
    PeerKey key = new PeerKey(to, expectedId);
    Connection conn = connections.get(key);
    if (conn == null) {
      conn = connect(key);
    }
    if (!conn.send(frame)) {
      counters.droppedQueueFull.increment();
      if (!conn.full) {
        conn.full = true;
        LOG.log(
            Level.WARNING,
            "outbound queue to {0} is full ({1} bytes); dropping frames",
            to,
            config.maxQueuedBytesPerPeer());
        hintUnreachable(to);
      }
    }
  }

  private Connection connect(PeerKey key) {
    Address to = key.address();
    Connection conn =
        new Connection(
            true, to, key.id(), config.maxQueuedBytesPerPeer(), counters, engine.allocator());
    conn.key = key;
    Connection prev = connections.putIfAbsent(key, conn);
    if (prev != null) {
      return prev;
    }
    evictIfAtCap();
    InetSocketAddress remote;
    try {
      remote = new InetSocketAddress(InetAddress.getByAddress(to.host()), to.port());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 address bytes always form an InetAddress", e);
    }
    counters.open.incrementAndGet();
    conn.countsAgainstCap = true;
    counters.established.incrementAndGet();
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, engine.allocator())
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    conn.channel = ch;
                    // No peer host: nodes are addressed by IP and proven by id, not by name (no
                    // SNI, no
                    // hostname check, no session resumption keyed by host).
                    SslHandler ssl = clientTls.newHandler(ch.alloc());
                    ssl.setHandshakeTimeoutMillis(config.handshakeTimeoutMillis());
                    pipeline(ch, ssl, conn);
                  }
                });
    // Dial from our listening IP so that the peer sees the address our hello names.
    b.connect(remote, new InetSocketAddress(listenHost, 0))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                counters.open.decrementAndGet();
                counters.established.decrementAndGet();
                conn.discard();
                connections.remove(key, conn);
                LOG.log(Level.DEBUG, "cannot connect to {0}: {1}", to, String.valueOf(f.cause()));
                hintUnreachable(to);
              }
            });
    return conn;
  }

  /**
   * At the cap, closes the least recently used identified connection. Inbound connections still
   * handshaking do not count (ADR 0097): a flood of them never evicts an identified peer.
   */
  private void evictIfAtCap() {
    if (counters.established.get() < config.maxConnections()) {
      return;
    }
    Connection lru = null;
    for (Connection c : connections.values()) {
      if (c.channel != null
          && c.helloReceived
          && (lru == null || c.lastUsedNanos < lru.lastUsedNanos)) {
        lru = c;
      }
    }
    if (lru != null) {
      LOG.log(Level.DEBUG, "connection cap reached; closing least recently used {0}", lru);
      lru.channel.close();
    }
  }

  /**
   * An inbound connection said hello: reuse it for sending to (its advertised address, its proven
   * id) if we have no such connection. Keyed by the proven id, a peer that advertises another
   * node's address only ever receives frames meant for its own id.
   */
  void registerInbound(Address advertised, Connection conn) {
    InetSocketAddress remote = (InetSocketAddress) conn.channel.remoteAddress();
    if (remote != null && Arrays.equals(remote.getAddress().getAddress(), advertised.host())) {
      PeerKey key = new PeerKey(advertised, conn.peerId);
      if (connections.putIfAbsent(key, conn) == null) {
        conn.key = key;
      }
    } else {
      LOG.log(
          Level.DEBUG,
          "peer at {0} names {1} as its address; not reusing the connection",
          remote,
          advertised);
    }
  }

  /**
   * Hands accepted frames from one peer (one socket read's worth, in order) to the node's loop;
   * {@link #pauseIfBehind} then pauses reading while the loop is behind. On an I/O thread.
   */
  void deliver(Address from, List<byte[]> frames, long bytes) {
    counters.framesReceived.add(frames.size());
    FrameReceiver r = receiver;
    if (r == null || closed) {
      return;
    }
    inboundInFlight.addAndGet(bytes);
    inbox.add(new InboundBatch(from, frames, bytes));
    if (inboxScheduled.compareAndSet(false, true)) {
      loop.execute(() -> drainInbox(r));
    }
  }

  /**
   * On the node loop: hands every waiting frame to the receiver. One loop task per burst rather
   * than per frame; the inbox is bounded by {@link #MAX_INBOUND_IN_FLIGHT} through {@link
   * #pauseIfBehind}.
   */
  private void drainInbox(FrameReceiver r) {
    inboxScheduled.set(false); // a frame delivered after this point schedules the next drain
    long drained = 0;
    InboundBatch b;
    while ((b = inbox.poll()) != null) {
      drained += b.bytes();
      for (byte[] frame : b.frames()) {
        try {
          r.receive(b.from(), frame);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "receiver failed on a frame from " + b.from(), e);
        }
      }
    }
    if (inboundInFlight.addAndGet(-drained) < MAX_INBOUND_IN_FLIGHT / 2) {
      resumeReading();
    }
  }

  private record InboundBatch(Address from, List<byte[]> frames, long bytes) {}

  /**
   * Called on an I/O thread after {@link #deliver}: stop reading this channel while the loop is
   * behind.
   */
  void pauseIfBehind(Channel ch) {
    if (inboundInFlight.get() > MAX_INBOUND_IN_FLIGHT && ch.config().isAutoRead()) {
      ch.config().setAutoRead(false);
      paused.add(ch);
      if (inboundInFlight.get() < MAX_INBOUND_IN_FLIGHT / 2) {
        resumeReading();
      }
    }
  }

  private void resumeReading() {
    Channel ch;
    while ((ch = paused.poll()) != null) {
      ch.config().setAutoRead(true);
    }
  }

  void closed(Connection conn) {
    admission.release(conn);
    if (conn.countsAgainstCap) {
      counters.established.decrementAndGet();
    }
    boolean unsent = conn.hasUnsent();
    conn.discard();
    counters.open.decrementAndGet();
    Address peer = conn.peerAddress;
    PeerKey key = conn.key;
    if (key != null) {
      connections.remove(key, conn);
    }
    if (peer != null) {
      if (conn.outbound && (!conn.helloReceived || unsent)) {
        hintUnreachable(peer);
      }
    }
  }

  private void hintUnreachable(Address to) {
    FrameReceiver r = receiver;
    if (r != null && !closed) {
      loop.execute(() -> r.unreachable(to));
    }
  }

  TcpTransportConfig config() {
    return config;
  }

  Counters counters() {
    return counters;
  }

  /** A snapshot of the counters. */
  public TransportStatistics statistics() {
    return counters.snapshot(admission.size());
  }

  /** Peers with an open (or opening) connection, for status output. */
  public List<Address> connectedPeers() {
    List<Address> peers = new ArrayList<>();
    for (PeerKey k : connections.keySet()) {
      if (!peers.contains(k.address())) {
        peers.add(k.address());
      }
    }
    return peers;
  }

  /** Stops listening and closes every connection; waits up to a second for the I/O threads. */
  @Override
  public void close() {
    closed = true;
    io.netty.util.concurrent.Future<?> timer = summaryTimer;
    if (timer != null) {
      timer.cancel(false);
      refusals.flush();
    }
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    for (Connection c : connections.values()) {
      if (c.channel != null) {
        c.channel.close();
      }
    }
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /**
   * Reports an inbound connection's first bytes to the handshake budget, then leaves the pipeline.
   */
  private final class FirstByte extends io.netty.channel.ChannelInboundHandlerAdapter {
    private final Connection conn;

    FirstByte(Connection conn) {
      this.conn = conn;
    }

    @Override
    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
      spoke(conn);
      ctx.pipeline().remove(this);
      ctx.fireChannelRead(msg);
    }
  }

  /**
   * A reusable connection's key: the peer's address and the id it proved or must prove (null: any).
   */
  record PeerKey(Address address, Id id) {}
}
