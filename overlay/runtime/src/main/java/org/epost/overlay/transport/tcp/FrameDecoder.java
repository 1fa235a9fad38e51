package org.epost.overlay.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.transport.tcp.Frames.FrameException;
import org.epost.overlay.transport.tcp.Frames.FrameException.Kind;

/**
 * Splits the decrypted byte stream into {@link Frames.Frame}s. Checks the length bound from the
 * first four bytes, so a header promising 2 GB costs nothing; checks version and type; and closes a
 * connection whose frame has been incomplete for longer than the frame timeout. Runs on the
 * channel's I/O thread only.
 *
 * <p>Batching (ADR 0088): the complete frames of one decrypted chunk (TLS hands on what one socket
 * read held) go down the pipeline as one {@link Frames.Batch}, so the next handler and the hand-off
 * to the node loop run once per read, not once per frame. A batch holds at most about {@link
 * #MAX_BATCH_BYTES}; the frames before a bad one are passed on before the error. Batches go through
 * {@code out}, so the decoder's own read-on-demand (when reading is paused) still sees them.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private final long frameTimeoutMillis;
  private final Counters counters;
  private long framesDecoded;
  private ScheduledFuture<?> deadline;
  private long deadlineFrame = -1;

  /** Bytes of frame bodies in one batch above which it is passed on before the read completes. */
  static final int MAX_BATCH_BYTES = 1 << 20;

  FrameDecoder(long frameTimeoutMillis, Counters counters) {
    this.frameTimeoutMillis = frameTimeoutMillis;
    this.counters = counters;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws FrameException {
    Frames.Batch batch = new Frames.Batch();
    try {
      decode(ctx, in, batch, out);
    } finally {
      if (!batch.isEmpty()) {
        out.add(batch); // also when a bad frame follows: the frames before it were sound
      }
    }
  }

  private void decode(ChannelHandlerContext ctx, ByteBuf in, Frames.Batch batch, List<Object> out)
      throws FrameException {
    while (in.isReadable()) {
      if (in.readableBytes() >= Frames.PREFIX) {
        long length = in.getUnsignedInt(in.readerIndex());
        if (length < Frames.HEADER || length > Frames.MAX_LENGTH) {
          throw new FrameException(
              Kind.OVERSIZE,
              "frame header promises " + length + " bytes; the bound is " + Frames.MAX_LENGTH);
        }
        if (in.readableBytes() >= Frames.PREFIX + length) {
          in.skipBytes(Frames.PREFIX);
          int version = in.readUnsignedByte();
          int type = in.readUnsignedByte();
          if (version != Frames.VERSION) {
            throw new FrameException(
                Kind.BAD_VERSION,
                "frame version " + version + " is not supported (expected " + Frames.VERSION + ")");
          }
          if (type != Frames.HELLO && type != Frames.DATA) {
            throw new FrameException(Kind.BAD_TYPE, "unknown frame type " + type);
          }
          byte[] body = new byte[(int) length - Frames.HEADER];
          in.readBytes(body);
          framesDecoded++;
          batch.add(new Frames.Frame(type, body));
          if (batch.bytes() >= MAX_BATCH_BYTES) {
            out.add(batch.split());
          }
          continue;
        }
      }
      armDeadline(ctx);
      return;
    }
  }

  private void armDeadline(ChannelHandlerContext ctx) {
    if (deadlineFrame == framesDecoded) {
      return; // this partial frame already has its deadline
    }
    if (deadline != null) {
      deadline.cancel(false);
    }
    long frame = framesDecoded;
    deadlineFrame = frame;
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  if (framesDecoded == frame
                      && internalBuffer().isReadable()
                      && ctx.channel().isActive()) {
                    ctx.fireExceptionCaught(
                        new FrameException(
                            Kind.SLOW,
                            "frame not completed within "
                                + frameTimeoutMillis
                                + " ms ("
                                + internalBuffer().readableBytes()
                                + " bytes so far)"));
                  }
                },
                frameTimeoutMillis,
                TimeUnit.MILLISECONDS);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    if (deadline != null) {
      deadline.cancel(false);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (internalBuffer().isReadable()) {
      counters.truncatedFrames.increment();
      TcpTransport.LOG.log(
          System.Logger.Level.WARNING,
          "connection from {0} closed in the middle of a frame " + "({1} bytes discarded)",
          ctx.channel().remoteAddress(),
          internalBuffer().readableBytes());
      internalBuffer().skipBytes(internalBuffer().readableBytes());
    }
    super.channelInactive(ctx);
  }
}
