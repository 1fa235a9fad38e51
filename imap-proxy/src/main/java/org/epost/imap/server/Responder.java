package org.epost.imap.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.epost.imap.codec.ResponseBuilder;

/**
 * Writes responses to one connection. Used only from the session's serial executor (a worker
 * thread). Output is bounded: when the channel's outbound buffer passes its high-water mark the
 * writer waits (on the worker, never on the event loop) until the client has read it.
 */
final class Responder {
  private static final int CHUNK = 16 * 1024;
  private static final int BATCH = 32 * 1024;
  private final Channel channel;
  private final Duration writeTimeout;
  private ChannelFuture last;

  /**
   * Responses are gathered here and handed to the event loop in batches (one task per 32 KiB, not
   * per line).
   */
  private byte[] pending = new byte[0];

  private int pendingLength;

  Responder(Channel channel, Duration writeTimeout) {
    this.channel = channel;
    this.writeTimeout = writeTimeout;
  }

  void untagged(String text) {
    write(("* " + text + "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  void tagged(String tag, String text) {
    write((tag + " " + text + "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  void continuation(String text) {
    write(("+ " + text + "\r\n").getBytes(StandardCharsets.UTF_8));
    flush();
  }

  void write(ResponseBuilder b) {
    write(b.array(), 0, b.length());
  }

  void write(byte[] bytes) {
    write(bytes, 0, bytes.length);
  }

  private void write(byte[] bytes, int off, int len) {
    if (pendingLength + len > pending.length) {
      if (pendingLength > 0) {
        handOver();
      }
      if (len >= BATCH) {
        last = channel.write(Unpooled.wrappedBuffer(bytes, off, len));
        if (!channel.isWritable()) {
          drain();
        }
        return;
      }
      if (pending.length < BATCH) {
        pending = new byte[BATCH];
      }
    }
    System.arraycopy(bytes, off, pending, pendingLength, len);
    pendingLength += len;
  }

  private void handOver() {
    // a pooled buffer: responses leave no garbage behind (the pool's memory is reused)
    io.netty.buffer.ByteBuf out = channel.alloc().buffer(pendingLength);
    out.writeBytes(pending, 0, pendingLength);
    last = channel.write(out);
    pendingLength = 0;
    if (!channel.isWritable()) {
      drain();
    }
  }

  void flush() {
    if (pendingLength > 0) {
      handOver();
    }
    if (pending.length > 0) {
      pending = new byte[0];
    }
    channel.flush();
  }

  /** Writes exactly {@code length} bytes from the stream after skipping {@code skip} bytes. */
  void stream(InputStream in, long skip, long length) throws IOException {
    in.skipNBytes(skip);
    long left = length;
    while (left > 0) {
      int n = (int) Math.min(CHUNK, left);
      if (pendingLength + n > pending.length) {
        if (pendingLength > 0) {
          handOver();
        }
        if (pending.length < BATCH) {
          pending = new byte[BATCH];
        }
      }
      // read straight into the batch: no chunk array per read
      int got = in.readNBytes(pending, pendingLength, n);
      pendingLength += got;
      if (got < n) {
        throw new EOFException("message shorter than its recorded size");
      }
      left -= n;
    }
  }

  private void drain() {
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    if (last != null && !last.awaitUninterruptibly(writeTimeout.toMillis())) {
      channel.close();
    }
  }

  boolean isOpen() {
    return channel.isActive();
  }

  void close() {
    flush();
    channel.close();
  }
}
