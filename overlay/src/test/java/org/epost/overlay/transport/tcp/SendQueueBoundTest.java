package org.epost.overlay.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epost.overlay.transport.TransportContractTest.Endpoint;
import org.junit.jupiter.api.Test;

/**
 * The per-peer send bound (ADR 0061): bytes count against it until written, are released once
 * written (a burst's bytes together), and a frame that would exceed it is dropped and counted.
 */
class SendQueueBoundTest {
  private static final long BOUND = Frames.MAX_WIRE_BYTES; // the smallest legal bound: one largest frame

  @Test
  void writtenBytesAreReleasedSoTrafficFarBeyondTheBoundFlows() throws Exception {
    try (TcpFixture fx = new TcpFixture(TcpTransportConfig.defaults().withMaxQueuedBytesPerPeer(BOUND))) {
      Endpoint a = fx.endpoint();
      Endpoint b = fx.endpoint();
      TcpTransport ta = (TcpTransport) a.transport;
      int frames = 400; // 400 KiB in all, six times the bound
      for (int i = 0; i < frames; i++) {
        ta.send(b.transport.localAddress(), b.id, TransportContractTestAccess.frameFrom(a.id, new byte[1000]));
        int expected = i + 1;
        if (i % 40 == 39) {
          assertTrue(TcpFixture.await(() -> b.count_() == expected, 10_000), "frames arrive: " + b.count_()
              + " of " + expected + ", " + ta.statistics());
        }
      }
      assertTrue(TcpFixture.await(() -> b.count_() == frames, 10_000));
      assertEquals(0, ta.statistics().droppedQueueFull(), "nothing dropped: written bytes were released");
      assertTrue(TcpFixture.await(() -> ta.statistics().framesSent() == frames, 10_000),
          "every written frame is counted once: " + ta.statistics().framesSent());
    }
  }

  @Test
  void aFrameBeyondTheBoundIsDroppedAndCounted() throws Exception {
    try (TcpFixture fx = new TcpFixture(TcpTransportConfig.defaults().withMaxQueuedBytesPerPeer(BOUND))) {
      Endpoint a = fx.endpoint();
      Endpoint b = fx.endpoint();
      TcpTransport ta = (TcpTransport) a.transport;
      byte[] big = TransportContractTestAccess.frameFrom(a.id, new byte[40_000]);
      // first contact: the TLS handshake takes milliseconds, so both frames wait in the queue
      ta.send(b.transport.localAddress(), b.id, big);
      ta.send(b.transport.localAddress(), b.id, big);
      assertEquals(1, ta.statistics().droppedQueueFull(), "80 KB do not fit a 64 KiB bound");
      assertTrue(TcpFixture.await(() -> b.count_() == 1, 10_000), "the frame that fitted arrives");
      assertTrue(TcpFixture.await(() -> a.unreachableHints().contains(b.transport.localAddress()), 10_000),
          "the node is told once that the peer's queue is full");
    }
  }
}
