package org.epost.overlay.transport.tcp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.security.cert.CertificateException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.transport.tcp.Frames.FrameException;
import org.epost.overlay.transport.tcp.Frames.FrameException.Kind;

/**
 * The last handler of a connection's pipeline: waits for the TLS handshake, learns the peer's
 * proven id, exchanges hellos, checks that each DATA frame names that id as its sender, and posts
 * the frames accepted during one socket read (one {@link Frames.Batch} per TLS record) to the
 * node's loop together when the read completes (ADR 0088), or earlier once they hold {@code
 * FrameDecoder.MAX_BATCH_BYTES}. Every refusal is a counter and a closed connection, and a log line
 * or a count in the transport's rate-limited summary (ADR 0097). Runs on the channel's I/O thread.
 */
final class PeerHandler extends ChannelInboundHandlerAdapter {
  private final TcpTransport transport;
  private final Connection conn;
  private ScheduledFuture<?> helloDeadline;
  private boolean
      refused; // the first reason to close wins: one log line and one count per connection

  /** DATA frames accepted in the current socket read, not yet handed to the loop (null: none). */
  private java.util.List<byte[]> accepted;

  private long acceptedBytes;

  PeerHandler(TcpTransport transport, Connection conn) {
    this.transport = transport;
    this.conn = conn;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    long timeout = transport.config().handshakeTimeoutMillis();
    helloDeadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (!conn.helloReceived && ctx.channel().isActive()) {
                    refuseHandshake(
                        ctx,
                        "did not complete the TLS handshake and hello within " + timeout + " ms");
                  }
                },
                timeout,
                TimeUnit.MILLISECONDS);
    super.channelActive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent) {
      SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) evt;
      if (!done.isSuccess()) {
        refuseHandshake(ctx, "TLS handshake failed: " + reason(done.cause()));
        return;
      }
      try {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        conn.peerId = transport.trust().verifiedId(ssl.engine().getSession().getPeerCertificates());
        conn.peerIdBytes = conn.peerId.toBytes();
      } catch (SSLPeerUnverifiedException | CertificateException e) {
        refuseHandshake(ctx, "peer did not prove a node id: " + e.getMessage());
        return;
      }
      if (conn.outbound && conn.expectedId != null && !conn.expectedId.equals(conn.peerId)) {
        // ADR 0060: a handle naming one node's id with another node's address must divert nothing.
        transport.counters().unexpectedPeers.increment();
        refuse(
            ctx,
            "dialled expecting node id "
                + conn.expectedId.toHex()
                + " but the peer proved "
                + conn.peerId.toHex()
                + "; frames for that id are not sent to it");
        return;
      }
      conn.markReady(transport.localAddress());
    } else if (evt instanceof IdleStateEvent) {
      transport.counters().idleClosed.increment();
      TcpTransport.LOG.log(Level.DEBUG, "closing idle connection {0}", conn);
      ctx.close();
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    Frames.Batch batch = (Frames.Batch) msg;
    if (!ctx.channel().isActive()) {
      return;
    }
    for (Frames.Frame frame : batch.frames()) {
      if (!accept(ctx, frame)) {
        return; // the connection is closing; the frames before the bad one were handed on
      }
      if (frame.type() == Frames.DATA) {
        if (accepted == null) {
          accepted = new java.util.ArrayList<>(Math.max(16, batch.frames().size()));
        }
        accepted.add(frame.body());
        acceptedBytes += frame.body().length;
      }
    }
    if (acceptedBytes >= FrameDecoder.MAX_BATCH_BYTES) {
      handOff(ctx);
    }
  }

  /** The socket read is done: its accepted frames go to the node loop together. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    handOff(ctx);
    super.channelReadComplete(ctx);
  }

  /** Hands the frames accepted since the last hand-off to the transport; may pause reading. */
  private void handOff(ChannelHandlerContext ctx) {
    if (accepted != null) {
      conn.lastUsedNanos = System.nanoTime();
      transport.deliver(conn.peerAddress, accepted, acceptedBytes);
      accepted = null;
      acceptedBytes = 0;
      transport.pauseIfBehind(ctx.channel());
    }
  }

  /** Checks one frame (and handles a hello); false if it was refused and the connection closes. */
  private boolean accept(ChannelHandlerContext ctx, Frames.Frame frame) {
    if (frame.type() == Frames.HELLO) {
      if (conn.helloReceived || conn.peerId == null) {
        reject(
            ctx,
            new FrameException(
                Kind.OUT_OF_ORDER, "a second hello, or a hello before the handshake"));
        return false;
      }
      Address advertised;
      try {
        ByteBuffer b = ByteBuffer.wrap(frame.body());
        advertised = Address.read(b);
        MalformedFrameException.require(
            !b.hasRemaining() && !advertised.isVirtual(), "bad hello address");
      } catch (MalformedFrameException e) {
        reject(ctx, new FrameException(Kind.OUT_OF_ORDER, "malformed hello: " + e.getMessage()));
        return false;
      }
      conn.helloReceived = true;
      helloDeadline.cancel(false);
      if (!conn.outbound) {
        transport.identified(conn);
        conn.peerAddress = advertised;
        transport.registerInbound(advertised, conn);
      }
      return true;
    }
    if (!conn.helloReceived) {
      reject(ctx, new FrameException(Kind.OUT_OF_ORDER, "data before hello"));
      return false;
    }
    if (!Frames.claimsSender(frame.body(), conn.peerIdBytes)) {
      reject(
          ctx,
          new FrameException(
              Kind.IDENTITY,
              "peer proved node id "
                  + conn.peerId.toHex()
                  + " but sent a frame claiming another sender id"));
      return false;
    }
    return true;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Throwable c =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (c instanceof FrameException) {
      reject(ctx, (FrameException) c);
    } else if (cause instanceof NotSslRecordException) {
      refuseHandshake(ctx, "not TLS (garbage bytes): " + reason(cause));
    } else if (c instanceof SSLException) {
      refuseHandshake(ctx, "TLS error: " + reason(c));
    } else {
      TcpTransport.LOG.log(Level.DEBUG, "connection {0} failed: {1}", conn, String.valueOf(c));
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx)
      throws Exception { // after the decoder's last batch
    handOff(ctx);
    if (helloDeadline != null) {
      helloDeadline.cancel(false);
    }
    transport.closed(conn);
    super.channelInactive(ctx);
  }

  private void refuseHandshake(ChannelHandlerContext ctx, String why) {
    if (conn.evicted) {
      refused = true; // counted and summarised as evicted by the transport
      ctx.close();
      return;
    }
    if (!refused) {
      transport.counters().handshakeFailures.increment();
    }
    refuse(ctx, "failed handshakes", why);
  }

  private void reject(ChannelHandlerContext ctx, FrameException e) {
    if (refused) {
      ctx.close();
      return;
    }
    switch (e.kind) {
      case IDENTITY:
        transport.counters().identityMismatches.increment();
        break;
      case SLOW:
        transport.counters().slowFrames.increment();
        break;
      default:
        transport.counters().rejectedFrames.increment();
    }
    refuse(ctx, "connections refused for their frames", e.getMessage());
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    refuse(ctx, "connections closed for their peer's id", why);
  }

  /**
   * Closes the connection; the first reason is logged in full if it is the first of its {@code
   * kind} in the current summary interval, else counted in the transport's summary (ADR 0097).
   */
  private void refuse(ChannelHandlerContext ctx, String kind, String why) {
    handOff(ctx); // frames accepted before the reason to close were sound
    if (!refused) {
      refused = true;
      if (!transport.refusals().shouldLog(kind)) {
        ctx.close();
        return;
      }
      TcpTransport.LOG.log(
          Level.WARNING,
          "closing connection {0} ({1}): {2}",
          conn,
          ctx.channel().remoteAddress(),
          why);
    }
    ctx.close();
  }

  private static String reason(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    if (m == null) {
      return root.getClass().getSimpleName();
    }
    return m.length() > 300
        ? m.substring(0, 300) + "..."
        : m; // garbage input is echoed as hex: keep the line short
  }
}
