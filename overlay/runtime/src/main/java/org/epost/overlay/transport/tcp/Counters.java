package org.epost.overlay.transport.tcp;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The transport's mutable counters; updated from I/O threads and the node loop. */
final class Counters {
  final LongAdder framesSent = new LongAdder();
  final LongAdder framesReceived = new LongAdder();
  final AtomicInteger open = new AtomicInteger();

  /** Connections counted against the cap: identified inbound ones and the node's own dials. */
  final AtomicInteger established = new AtomicInteger();

  final LongAdder handshakeFailures = new LongAdder();
  final LongAdder rejectedFrames = new LongAdder();
  final LongAdder identityMismatches = new LongAdder();
  final LongAdder truncatedFrames = new LongAdder();
  final LongAdder slowFrames = new LongAdder();
  final LongAdder droppedQueueFull = new LongAdder();
  final LongAdder refusedConnections = new LongAdder();
  final LongAdder idleClosed = new LongAdder();
  final LongAdder unexpectedPeers = new LongAdder();
  final LongAdder refusedOverAddressLimit = new LongAdder();
  final LongAdder evictedHandshakes = new LongAdder();

  TransportStatistics snapshot(int handshaking) {
    return new TransportStatistics(
        framesSent.sum(),
        framesReceived.sum(),
        open.get(),
        handshakeFailures.sum(),
        rejectedFrames.sum(),
        identityMismatches.sum(),
        truncatedFrames.sum(),
        slowFrames.sum(),
        droppedQueueFull.sum(),
        refusedConnections.sum(),
        idleClosed.sum(),
        unexpectedPeers.sum(),
        handshaking,
        refusedOverAddressLimit.sum(),
        evictedHandshakes.sum());
  }
}
