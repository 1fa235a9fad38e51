package org.epost.overlay.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.epost.overlay.api.Address;
import org.epost.overlay.transport.TransportContractTest.Endpoint;
import org.junit.jupiter.api.Test;

/**
 * The per-peer send bound (ADR 0061): bytes count against it until written, are released once
 * written, and a frame that would exceed it is dropped, counted and reported to the node once.
 */
class SendQueueBoundTest {
  private static final long BOUND =
      Frames.MAX_WIRE_BYTES; // the smallest legal bound: one largest frame

  @Test
  void writtenBytesAreReleasedSoTrafficFarBeyondTheBoundFlows() throws Exception {
    try (TcpFixture fx =
        new TcpFixture(TcpTransportConfig.defaults().withMaxQueuedBytesPerPeer(BOUND))) {
      Endpoint a = fx.endpoint();
      Endpoint b = fx.endpoint();
      TcpTransport ta = (TcpTransport) a.transport;
      int frames = 400; // 400 KiB in all, six times the bound
      for (int i = 0; i < frames; i++) {
        ta.send(
            b.transport.localAddress(),
            b.id,
            TransportContractTestAccess.frameFrom(a.id, new byte[1000]));
        int expected = i + 1;
        if (i % 40 == 39) {
          assertTrue(
              TcpFixture.await(() -> b.count_() == expected, 10_000),
              "frames arrive: " + b.count_() + " of " + expected + ", " + ta.statistics());
        }
      }
      assertTrue(TcpFixture.await(() -> b.count_() == frames, 10_000));
      assertEquals(
          0, ta.statistics().droppedQueueFull(), "nothing dropped: written bytes were released");
      assertTrue(
          TcpFixture.await(() -> ta.statistics().framesSent() == frames, 10_000),
          "every written frame is counted once: " + ta.statistics().framesSent());
    }
  }

  @Test
  void framesBeyondTheBoundAreDroppedCountedAndReportedOnce() throws Exception {
    // The peer accepts TCP and never answers the TLS handshake, so nothing drains: what fits the
    // bound waits, whatever the machine's load, and every later frame is refused.
    try (TcpFixture fx =
            new TcpFixture(TcpTransportConfig.defaults().withMaxQueuedBytesPerPeer(BOUND));
        ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Endpoint a = fx.endpoint();
      Endpoint b = fx.endpoint(); // only its id: the address is the silent peer's
      TcpTransport ta = (TcpTransport) a.transport;
      Address peer =
          Address.inet(InetAddress.getLoopbackAddress().getAddress(), silent.getLocalPort());
      byte[] big = TransportContractTestAccess.frameFrom(a.id, new byte[40_000]);
      ta.send(peer, b.id, big);
      ta.send(peer, b.id, big);
      ta.send(peer, b.id, big);
      assertEquals(
          2,
          ta.statistics().droppedQueueFull(),
          "40 KB fit a 64 KiB bound once, not twice or three times");
      assertTrue(
          TcpFixture.await(() -> a.unreachableHints().contains(peer), 10_000),
          "the node is told that the peer's queue is full");
      Thread.sleep(200);
      assertEquals(
          1,
          a.unreachableHints().stream().filter(peer::equals).count(),
          "once per episode, not per dropped frame");
      assertEquals(0, ta.statistics().framesSent());
    }
  }
}
