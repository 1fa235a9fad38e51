package org.epost.imap.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.api.MailboxBackend;
import org.epost.imap.codec.CommandFrame;
import org.epost.imap.codec.CommandFrameDecoder;

/**
 * Connects one channel to its {@link ImapSession}. Runs on the channel's event loop: it only hands
 * frames to the session's serial executor and applies backpressure (stops reading once {@link
 * ImapServerConfig#maxPipelinedCommands()} commands are waiting).
 */
final class ImapChannelHandler extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger(ImapChannelHandler.class.getName());
  private final ImapServerConfig config;
  private final MailboxBackend backend;
  private final StructureCache cache;
  private final RecentTracker recent;
  private final Executor workers;
  private final AtomicInteger pending = new AtomicInteger();
  private final ConnectionGuard guard;
  private final AtomicBoolean loggedIn = new AtomicBoolean();
  private ImapSession session;
  private SerialExecutor serial;

  ImapChannelHandler(
      ImapServerConfig config,
      MailboxBackend backend,
      StructureCache cache,
      RecentTracker recent,
      Executor workers,
      ConnectionGuard guard) {
    this.guard = guard;
    this.config = config;
    this.backend = backend;
    this.cache = cache;
    this.recent = recent;
    this.workers = workers;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    serial =
        new SerialExecutor(workers, ctx.channel().eventLoop(), failure -> ctx.channel().close());
    Responder responder = new Responder(ctx.channel(), config.backendTimeout());
    CommandFrameDecoder decoder = ctx.pipeline().get(CommandFrameDecoder.class);
    InetAddress address = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    session =
        new ImapSession(
            config,
            backend,
            cache,
            recent,
            responder,
            serial,
            () -> ctx.channel().close(),
            () -> {
              loggedIn.set(true);
              decoder.authenticated();
            },
            guard,
            address);
    serial.execute(session::greet);
    ctx.executor()
        .schedule(
            () -> {
              if (!loggedIn.get() && ctx.channel().isActive()) {
                ctx.writeAndFlush(
                        Unpooled.wrappedBuffer(
                            "* BYE Login timeout\r\n".getBytes(StandardCharsets.US_ASCII)))
                    .addListener(ChannelFutureListener.CLOSE);
              }
            },
            guard.limits().loginTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    CommandFrame frame = (CommandFrame) msg;
    if (pending.incrementAndGet() >= config.maxPipelinedCommands()) {
      ctx.channel().config().setAutoRead(false);
    }
    serial.execute(
        () -> {
          try {
            session.handle(frame);
          } finally {
            if (pending.decrementAndGet() <= config.maxPipelinedCommands() / 2
                && !ctx.channel().eventLoop().isShuttingDown()) {
              try {
                ctx.channel().eventLoop().execute(() -> ctx.channel().config().setAutoRead(true));
              } catch (RejectedExecutionException closing) {
                // the server is shutting down: nothing more will be read anyway
              }
            }
          }
        });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.writeAndFlush(
              Unpooled.wrappedBuffer(
                  "* BYE Autologout; idle for too long\r\n".getBytes(StandardCharsets.US_ASCII)))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (session != null) {
      session.closed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // also for an Error (OutOfMemoryError): this connection goes, the event loop stays
    try {
      LOG.log(cause instanceof Error ? Level.WARNING : Level.DEBUG, "connection error", cause);
    } catch (Throwable ignored) {
      // logging may itself fail (no memory, no descriptor); closing matters more
    }
    ctx.close();
  }
}
