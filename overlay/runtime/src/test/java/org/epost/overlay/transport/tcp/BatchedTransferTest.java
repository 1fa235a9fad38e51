package org.epost.overlay.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.epost.crypto.api.NodeIdentity;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.FrameReceiver;
import org.epost.overlay.api.Id;
import org.junit.jupiter.api.Test;

/**
 * The batched send and receive paths (ADR 0088) over real TLS connections: frames encoded back to
 * back into shared chunks and decoded a read at a time arrive intact and in order whatever their
 * sizes; a burst beyond the per-peer bound is refused frame by frame and counted (the frames that
 * fit and then arrive: {@link SendQueueBoundTest}); and a receiver whose loop stops taking frames
 * stops reading, so the sender is held back by its bound instead of either side buffering without
 * limit.
 */
class BatchedTransferTest {
  /**
   * Records every frame on the receiving node's loop; optionally blocks the loop on the first one.
   */
  private static final class Recorder implements FrameReceiver {
    final List<byte[]> frames =
        new ArrayList<>(); // only touched on the loop, read after a volatile count
    volatile int count;
    final CountDownLatch release;

    Recorder(CountDownLatch release) {
      this.release = release;
    }

    @Override
    public void receive(Address from, byte[] frame) {
      if (release != null) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      frames.add(frame);
      count = frames.size();
    }

    @Override
    public void unreachable(Address peer) {}
  }

  private static byte[] numbered(Id sender, int seq, int size) {
    byte[] body = new byte[size];
    ByteBuffer.wrap(body).putInt(seq);
    for (int i = 4; i < size; i++) {
      body[i] = (byte) (seq * 31 + i);
    }
    return TransportContractTestAccess.frameFrom(sender, body);
  }

  private static int seq(byte[] frame) {
    return ByteBuffer.wrap(frame, 4 + Id.BYTES, 4).getInt();
  }

  private static NodeCredentials fresh() {
    return NodeCredentials.of(NodeIdentity.generate(TcpFixture.RANDOM));
  }

  @Test
  void manyFramesOfMixedSizesArriveIntactAndInOrder() throws Exception {
    try (TcpFixture fx =
        new TcpFixture(TcpTransportConfig.defaults().withMaxQueuedBytesPerPeer(64L << 20))) {
      NodeCredentials a = fresh();
      NodeCredentials b = fresh();
      TcpTransport ta = fx.transport(a, new Recorder(null));
      Recorder rb = new Recorder(null);
      TcpTransport tb = fx.transport(b, rb);
      Random r = new Random(7);
      List<byte[]> sent = new ArrayList<>();
      // sizes from tiny to the largest frame, so frames straddle TLS records and chunk boundaries
      for (int i = 0; i < 6_000; i++) {
        int size =
            i % 500 == 0
                ? org.epost.overlay.api.Transport.MAX_FRAME_BYTES - 4 - Id.BYTES
                : 4 + r.nextInt(i % 3 == 0 ? 3_000 : 200);
        byte[] f = numbered(a.id(), i, size);
        sent.add(f);
        ta.send(tb.localAddress(), b.id(), f);
      }
      assertTrue(
          TcpFixture.await(() -> rb.count == sent.size(), 60_000),
          "all frames arrive: " + rb.count + " of " + sent.size() + "; " + ta.statistics());
      for (int i = 0; i < sent.size(); i++) {
        assertArrayEquals(sent.get(i), rb.frames.get(i), "frame " + i + " intact and in its place");
      }
      assertEquals(0, ta.statistics().droppedQueueFull());
      assertTrue(
          TcpFixture.await(() -> ta.statistics().framesSent() == sent.size(), 10_000),
          "each frame counted once as sent: " + ta.statistics().framesSent());
      assertEquals(sent.size(), tb.statistics().framesReceived());
    }
  }

  @Test
  void aBurstBeyondTheBoundIsRefusedFrameByFrameAndCounted() throws Exception {
    long bound = Frames.MAX_WIRE_BYTES; // the smallest legal bound
    // A peer that accepts the TCP connection and never answers the TLS handshake: nothing is ever
    // written, so exactly the frames that fit the bound wait and every later one is refused.
    try (TcpFixture fx =
            new TcpFixture(TcpTransportConfig.defaults().withMaxQueuedBytesPerPeer(bound));
        java.net.ServerSocket silent =
            new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      NodeCredentials a = fresh();
      TcpTransport ta = fx.transport(a, new Recorder(null));
      Address peer =
          Address.inet(
              java.net.InetAddress.getLoopbackAddress().getAddress(), silent.getLocalPort());
      Id peerId = fresh().id();
      int frames = 200;
      List<byte[]> burst = new ArrayList<>();
      for (int i = 0; i < frames; i++) {
        burst.add(numbered(a.id(), i, 1000));
      }
      int wire = Frames.PREFIX + Frames.HEADER + burst.get(0).length;
      long fit = bound / wire;
      for (byte[] f : burst) {
        ta.send(peer, peerId, f);
      }
      assertEquals(
          frames - fit,
          ta.statistics().droppedQueueFull(),
          "every frame beyond the bound is refused");
      Thread.sleep(200);
      ta.send(peer, peerId, burst.get(0));
      assertEquals(
          frames - fit + 1,
          ta.statistics().droppedQueueFull(),
          "and stays refused while nothing drains");
      assertEquals(0, ta.statistics().framesSent());
    }
  }

  @Test
  void aReceiverThatStopsTakingFramesStopsReadingAndHoldsTheSenderBack() throws Exception {
    long bound = 1L << 20;
    try (TcpFixture fx =
        new TcpFixture(TcpTransportConfig.defaults().withMaxQueuedBytesPerPeer(bound))) {
      NodeCredentials a = fresh();
      NodeCredentials b = fresh();
      TcpTransport ta = fx.transport(a, new Recorder(null));
      CountDownLatch release = new CountDownLatch(1);
      Recorder rb = new Recorder(release); // b's loop blocks on the first frame until released
      TcpTransport tb = fx.transport(b, rb);
      int size = 60_000;
      int total = 1_000; // 60 MB: far more than the receiver's in-flight bound and socket buffers
      java.util.concurrent.atomic.AtomicInteger sentSoFar =
          new java.util.concurrent.atomic.AtomicInteger();
      Thread sender =
          new Thread(
              () -> {
                for (int i = 0; i < total; i++) {
                  byte[] f = numbered(a.id(), i, size);
                  while (true) { // like a well-behaved application: on a refusal, wait and offer
                    // again
                    long before = ta.statistics().droppedQueueFull();
                    ta.send(tb.localAddress(), b.id(), f);
                    if (ta.statistics().droppedQueueFull() == before) {
                      break;
                    }
                    try {
                      Thread.sleep(1);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                  sentSoFar.set(i + 1);
                }
              },
              "flooding-sender");
      sender.start();
      try {
        Thread.sleep(3_000); // the receiver's loop is stuck for these three seconds
        long taken = tb.statistics().framesReceived();
        long limit =
            (TcpTransport.MAX_INBOUND_IN_FLIGHT + FrameDecoder.MAX_BATCH_BYTES + (1 << 20)) / size
                + 2;
        assertTrue(
            taken <= limit,
            "the receiver stopped reading near its in-flight bound: took "
                + taken
                + " frames, bound "
                + limit);
        assertTrue(
            sentSoFar.get() < total,
            "the sender was held back by its bound: "
                + sentSoFar.get()
                + " of "
                + total
                + " queued");
        assertTrue(
            ta.statistics().droppedQueueFull() > 0,
            "and saw refusals while the receiver was stuck");
      } finally {
        release.countDown();
      }
      sender.join(120_000);
      assertTrue(
          TcpFixture.await(() -> rb.count == total, 120_000),
          "once released, every frame arrives: " + rb.count + " of " + total);
      for (int i = 0; i < total; i++) {
        assertEquals(i, seq(rb.frames.get(i)), "in order");
      }
    }
  }
}
