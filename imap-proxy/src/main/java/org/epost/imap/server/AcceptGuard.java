package org.epost.imap.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * On the listening channel: when {@code accept} fails (typically no file descriptor left), stops
 * accepting for {@link #RETRY_MILLIS} and tries again, for as long as it takes. The failure goes no
 * further: Netty would otherwise log it through a path that, with no descriptor left, can fail to
 * load or initialise a class (the time zone data) and kill the event loop thread (ADR 0037).
 */
final class AcceptGuard extends ChannelInboundHandlerAdapter {
  static final long RETRY_MILLIS = 100;
  private static final System.Logger LOG = System.getLogger(AcceptGuard.class.getName());
  private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
  private final AtomicLong failures = new AtomicLong();
  private long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

  long failures() {
    return failures.get();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failures.incrementAndGet();
    if (ctx.channel().isActive() && ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(false);
      ctx.executor()
          .schedule(
              () -> ctx.channel().config().setAutoRead(true), RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }
    long now = System.nanoTime();
    if (now - lastLogNanos >= LOG_EVERY_NANOS) {
      lastLogNanos = now;
      try {
        LOG.log(
            Level.WARNING,
            "cannot accept connections ({0}); retrying every {1} ms",
            cause.toString(),
            RETRY_MILLIS);
      } catch (Throwable ignored) {
        // logging itself may need a descriptor; accepting matters more
      }
    }
  }
}
