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
    private final Channel channel;
    private final Duration writeTimeout;
    private ChannelFuture last;

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
        write(b.toBytes());
    }

    void write(byte[] bytes) {
        last = channel.write(Unpooled.wrappedBuffer(bytes));
        if (!channel.isWritable()) {
            drain();
        }
    }

    void flush() {
        channel.flush();
    }

    /** Writes exactly {@code length} bytes from the stream after skipping {@code skip} bytes. */
    void stream(InputStream in, long skip, long length) throws IOException {
        in.skipNBytes(skip);
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(CHUNK, left);
            byte[] chunk = in.readNBytes(n);
            if (chunk.length < n) {
                throw new EOFException("message shorter than its recorded size");
            }
            write(chunk);
            left -= n;
        }
    }

    private void drain() {
        channel.flush();
        if (last != null && !last.awaitUninterruptibly(writeTimeout.toMillis())) {
            channel.close();
        }
    }

    boolean isOpen() {
        return channel.isActive();
    }

    void close() {
        channel.flush();
        channel.close();
    }
}
