package org.epost.overlay.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;

/**
 * One TLS connection to a peer, inbound or outbound. Frames wait in {@code pending} until the
 * handshake and hello are done and then until the I/O thread drains them; every queued byte (pending or in Netty's outbound buffer) is
 * counted against the per-peer bound. Thread-safe: {@link #send} runs on the node loop, the rest
 * on the channel's I/O thread.
 */
final class Connection {
  final boolean outbound;
  /** For an outbound connection: the id the peer must prove, or null (bootstrap: any id). */
  final Id expectedId;
  /** The key under which the transport holds this connection for reuse; null if not held. */
  volatile TcpTransport.PeerKey key;
  /** Set once the channel exists (at once for inbound, in the initializer for outbound). */
  volatile Channel channel;
  private final long maxQueuedBytes;
  private final Counters counters;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>(); // guarded by this
  private boolean ready; // guarded by this
  private boolean drainScheduled; // guarded by this
  /** Where the peer listens: the dialled address, or the one its hello named. */
  volatile Address peerAddress;
  /** The id the peer proved in the TLS handshake; null before. */
  volatile Id peerId;
  volatile boolean helloReceived;
  volatile long lastUsedNanos = System.nanoTime();
  /** Set when a frame was dropped for a full queue, so that the node is told once per episode. */
  volatile boolean full;

  Connection(boolean outbound, Address peerAddress, Id expectedId, long maxQueuedBytes, Counters counters) {
    this.outbound = outbound;
    this.expectedId = expectedId;
    this.peerAddress = peerAddress;
    this.maxQueuedBytes = maxQueuedBytes;
    this.counters = counters;
  }

  /** Queues {@code frame} as a DATA frame; false (and nothing queued) if the peer's queue is full. */
  boolean send(byte[] frame) {
    int wire = Frames.PREFIX + Frames.HEADER + frame.length;
    if (queuedBytes.addAndGet(wire) > maxQueuedBytes) {
      queuedBytes.addAndGet(-wire);
      return false;
    }
    full = false;
    lastUsedNanos = System.nanoTime();
    synchronized (this) {
      pending.add(frame);
      if (!ready || drainScheduled) {
        return true;
      }
      drainScheduled = true;
    }
    channel.eventLoop().execute(this::drain);
    return true;
  }

  /**
   * On the I/O thread: writes every queued frame, then flushes once. A burst of sends from the
   * node loop thus costs one hand-off to the I/O thread, few TLS records and one socket write,
   * instead of one of each per frame.
   */
  private void drain() {
    synchronized (this) {
      drainScheduled = false; // a send after this point schedules the next drain
    }
    while (true) {
      byte[] f;
      synchronized (this) {
        f = pending.poll();
      }
      if (f == null) {
        break;
      }
      write(Frames.DATA, f);
    }
    channel.flush();
  }

  /** Handshake and hello done: sends our hello first, then what waited. Called on the I/O thread. */
  void markReady(Address localAddress) {
    byte[] hello = new byte[localAddress.encodedLength()];
    localAddress.write(java.nio.ByteBuffer.wrap(hello));
    write(Frames.HELLO, hello);
    synchronized (this) {
      byte[] f;
      while ((f = pending.poll()) != null) {
        write(Frames.DATA, f);
      }
      ready = true;
    }
    channel.flush();
  }

  /** Writes one frame without flushing; on the I/O thread. */
  private void write(int type, byte[] body) {
    int wire = Frames.PREFIX + Frames.HEADER + body.length;
    ByteBuf buf = channel.alloc().buffer(wire);
    buf.writeInt(Frames.HEADER + body.length).writeByte(Frames.VERSION).writeByte(type).writeBytes(body);
    var future = channel.write(buf);
    if (type == Frames.DATA) {
      future.addListener(f -> {
        queuedBytes.addAndGet(-wire);
        if (f.isSuccess()) {
          counters.framesSent.increment();
        }
      });
    }
  }

  /** Frames still waiting to be written (for tests of the bound). */
  long queuedBytes() {
    return queuedBytes.get();
  }

  boolean hasUnsent() {
    synchronized (this) {
      return !pending.isEmpty() || queuedBytes.get() > 0;
    }
  }

  @Override
  public String toString() {
    return (outbound ? "to " : "from ") + (peerId == null ? "?" : peerId.toString()) + " at "
        + (peerAddress == null ? String.valueOf(channel.remoteAddress()) : peerAddress.toString());
  }
}
