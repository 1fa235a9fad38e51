package org.epost.imap.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.epost.imap.api.ImapServer;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.api.MailboxBackend;
import org.epost.imap.codec.CommandFrameDecoder;

/**
 * Starts IMAP servers. Threads: one Netty event loop thread ({@code imap-io}) frames bytes for
 * every connection; {@link ImapServerConfig#workerThreads()} workers ({@code imap-worker-N}) run
 * commands, each connection's commands in order on one worker at a time.
 */
public final class ImapServers {
  /** Connections the kernel may queue for accepting (ADR 0037). */
  static final int ACCEPT_BACKLOG = 256;

  private ImapServers() {}

  /** Binds and starts a server; fails if the address cannot be bound. */
  public static ImapServer start(ImapServerConfig config, MailboxBackend backend)
      throws InterruptedException {
    EventLoopGroup io =
        new MultiThreadIoEventLoopGroup(1, named("imap-io"), NioIoHandler.newFactory());
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            config.workerThreads(),
            config.workerThreads(),
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            named("imap-worker"));
    workers.allowCoreThreadTimeOut(true);
    ConnectionGuard guard =
        new ConnectionGuard(
            config.limits(), FileDescriptors.connectionCap(config.limits()), System::nanoTime);
    StructureCache cache = new StructureCache(config.structureCacheEntries());
    RecentTracker recent = new RecentTracker(RecentTracker.DEFAULT_MAX_MAILBOXES);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(io)
            .channel(NioServerSocketChannel.class)
            // a short accept queue: after a flood the server drains at most this many dead
            // connections before it reaches a new client (the system default is often 4,096)
            .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
            .handler(new AcceptGuard())
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(32 * 1024, 128 * 1024))
            // reads of at most 16 KiB: a connection holding an unfinished line never pins a
            // 64 KiB buffer
            .childOption(
                ChannelOption.RCVBUF_ALLOCATOR,
                new AdaptiveRecvByteBufAllocator(64, 1024, 16 * 1024))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    InetAddress address = ch.remoteAddress().getAddress();
                    String refused = guard.admit(address);
                    if (refused != null) {
                      ch.pipeline().addLast(new Refuse(refused));
                      return;
                    }
                    ch.closeFuture().addListener(f -> guard.release(address));
                    long idle = config.idleTimeout().toMillis();
                    ch.pipeline()
                        .addLast(
                            new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS),
                            new CommandFrameDecoder(
                                config.maxLineLength(),
                                config.maxLiteralSize(),
                                config.literalMemoryThreshold(),
                                config.maxLiteralsPerCommand(),
                                config.spoolDirectory(),
                                config.limits(),
                                guard::chargePreLogin),
                            new ImapChannelHandler(config, backend, cache, recent, workers, guard));
                  }
                });
    Channel server;
    try {
      server = b.bind(config.bindAddress()).sync().channel();
    } catch (InterruptedException | RuntimeException e) {
      io.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownNow();
      throw e;
    }
    Preload.warmUp((InetSocketAddress) server.localAddress());
    long until = System.nanoTime() + 1_000_000_000L;
    while (guard.openConnections() > 0 && System.nanoTime() < until) {
      Thread.sleep(1); // the warm-up connection's slot is released on the event loop
    }
    return new RunningServer(server, io, workers);
  }

  /** Answers a connection over a cap with {@code * BYE} and closes it. */
  private static final class Refuse extends ChannelInboundHandlerAdapter {
    private final String why;

    Refuse(String why) {
      this.why = why;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(
              Unpooled.wrappedBuffer(("* BYE " + why + "\r\n").getBytes(StandardCharsets.US_ASCII)))
          .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private record RunningServer(Channel server, EventLoopGroup io, ExecutorService workers)
      implements ImapServer {
    @Override
    public InetSocketAddress localAddress() {
      return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
      server.close().syncUninterruptibly();
      io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      workers.shutdownNow();
    }
  }
}
