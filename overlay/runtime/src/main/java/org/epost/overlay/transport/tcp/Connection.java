package org.epost.overlay.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;

/**
 * One TLS connection to a peer, inbound or outbound.
 *
 * <p>Sending (ADR 0088): {@link #send} encodes each DATA frame on the caller's thread (normally the
 * node loop) straight into the newest of a queue of pooled <em>chunks</em> (the TLS engine's
 * buffers, ADR 0090) of at most {@link #CHUNK_BYTES}; the channel's I/O thread takes whole chunks,
 * writes each as one buffer and flushes once per drain. A burst of small frames thus costs the I/O
 * thread one buffer, one write promise and a few full 16 KiB TLS records per chunk instead of one
 * of each per frame. Every queued byte (in a chunk, or written and not yet on the socket) counts
 * against the per-peer bound; a chunk's bytes are released when its write completes, so the bound
 * is freed in steps of at most {@link #CHUNK_BYTES}.
 *
 * <p>Threads: {@link #send} from any thread; chunks are handed over under this object's lock; the
 * rest runs on the channel's I/O thread.
 */
final class Connection {
  /**
   * Largest chunk, i.e. the most bytes one write hands to TLS: eight full TLS records, and room for
   * at least one frame of the largest size. Small enough that the per-peer bound is released in
   * fine steps while a flooding sender waits on it.
   */
  static final int CHUNK_BYTES = 128 * 1024;

  /**
   * A chunk's first allocation; it grows (to {@link #CHUNK_BYTES}) only while frames keep coming.
   */
  private static final int CHUNK_INITIAL_BYTES = 16 * 1024;

  final boolean outbound;

  /** For an outbound connection: the id the peer must prove, or null (bootstrap: any id). */
  final Id expectedId;

  /** The key under which the transport holds this connection for reuse; null if not held. */
  volatile TcpTransport.PeerKey key;

  /** Set once the channel exists (at once for inbound, in the initializer for outbound). */
  volatile Channel channel;

  private final long maxQueuedBytes;
  private final Counters counters;
  private final io.netty.buffer.ByteBufAllocator alloc;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final ArrayDeque<Chunk> pending = new ArrayDeque<>(); // guarded by this
  private boolean ready; // guarded by this
  private boolean drainScheduled; // guarded by this
  private boolean discarded; // guarded by this: the channel closed, chunks released

  /** Where the peer listens: the dialled address, or the one its hello named. */
  volatile Address peerAddress;

  /** The id the peer proved in the TLS handshake; null before. */
  volatile Id peerId;

  /** {@link #peerId}'s bytes, for the per-frame sender check without an allocation per frame. */
  volatile byte[] peerIdBytes;

  volatile boolean helloReceived;
  volatile long lastUsedNanos = System.nanoTime();

  /** Inbound: when it was accepted, and the address key it counts under while handshaking. */
  long acceptedNanos; // guarded by the transport's HandshakeAdmission

  java.nio.ByteBuffer admissionKey; // guarded by the transport's HandshakeAdmission

  /**
   * Counts against the connection cap: set for a dial at once, for an inbound connection once it is
   * identified (ADR 0097). Read and written on the channel's I/O thread, and at creation.
   */
  volatile boolean countsAgainstCap;

  /** Closed by the transport to make room in the handshake budget; not a handshake failure. */
  volatile boolean evicted;

  /** Set when a frame was dropped for a full queue, so that the node is told once per episode. */
  volatile boolean full;

  Connection(
      boolean outbound,
      Address peerAddress,
      Id expectedId,
      long maxQueuedBytes,
      Counters counters,
      io.netty.buffer.ByteBufAllocator alloc) {
    this.alloc = alloc;
    this.outbound = outbound;
    this.expectedId = expectedId;
    this.peerAddress = peerAddress;
    this.maxQueuedBytes = maxQueuedBytes;
    this.counters = counters;
  }

  /** Frames encoded back to back in one pooled buffer, written as one. */
  private static final class Chunk {
    final ByteBuf buf;
    int frames;

    Chunk(ByteBuf buf) {
      this.buf = buf;
    }
  }

  /**
   * Queues {@code frame} as a DATA frame; false (and nothing queued) if the peer's queue is full.
   */
  boolean send(byte[] frame) {
    int wire = Frames.PREFIX + Frames.HEADER + frame.length;
    if (queuedBytes.addAndGet(wire) > maxQueuedBytes) {
      queuedBytes.addAndGet(-wire);
      return false;
    }
    full = false;
    lastUsedNanos = System.nanoTime();
    synchronized (this) {
      if (discarded) {
        queuedBytes.addAndGet(-wire); // the connection is gone; the node learns it from the close
        return true;
      }
      Chunk last = pending.peekLast();
      if (last == null || last.buf.maxWritableBytes() < wire) {
        int max = Math.max(CHUNK_BYTES, wire);
        last = new Chunk(alloc.buffer(Math.min(max, Math.max(CHUNK_INITIAL_BYTES, wire)), max));
        pending.add(last);
      }
      Frames.write(last.buf, Frames.DATA, frame);
      last.frames++;
      if (!ready || drainScheduled) {
        return true;
      }
      drainScheduled = true;
    }
    channel.eventLoop().execute(this::drain);
    return true;
  }

  /**
   * On the I/O thread: writes every queued chunk, then flushes once. Frames a sender adds while
   * this runs join the queue's last chunk and are written by this same drain.
   */
  private void drain() {
    while (true) {
      Chunk c;
      synchronized (this) {
        c = pending.poll();
        if (c == null) {
          drainScheduled = false; // a send after this point schedules the next drain
          break;
        }
      }
      writeChunk(c);
    }
    channel.flush();
  }

  private void writeChunk(Chunk c) {
    int bytes = c.buf.readableBytes();
    int frames = c.frames;
    channel
        .write(c.buf)
        .addListener(
            f -> {
              queuedBytes.addAndGet(-bytes);
              if (f.isSuccess()) {
                counters.framesSent.add(frames);
              }
            });
  }

  /**
   * Handshake and hello done: sends our hello first, then what waited. Called on the I/O thread.
   */
  void markReady(Address localAddress) {
    byte[] hello = new byte[localAddress.encodedLength()];
    localAddress.write(java.nio.ByteBuffer.wrap(hello));
    ByteBuf buf = channel.alloc().buffer(Frames.PREFIX + Frames.HEADER + hello.length);
    Frames.write(buf, Frames.HELLO, hello);
    channel.write(buf);
    synchronized (this) {
      ready = true;
      drainScheduled = true; // this drain takes what waited; concurrent sends join it
    }
    drain();
  }

  /**
   * The channel closed (or never connected): releases chunks never written; later sends are
   * dropped. Any thread.
   */
  void discard() {
    synchronized (this) {
      discarded = true;
      Chunk c;
      while ((c = pending.poll()) != null) {
        queuedBytes.addAndGet(-c.buf.readableBytes());
        c.buf.release();
      }
    }
  }

  boolean hasUnsent() {
    synchronized (this) {
      return !pending.isEmpty() || queuedBytes.get() > 0;
    }
  }

  @Override
  public String toString() {
    return (outbound ? "to " : "from ")
        + (peerId == null ? "?" : peerId.toString())
        + " at "
        + (peerAddress == null ? String.valueOf(channel.remoteAddress()) : peerAddress.toString());
  }
}
