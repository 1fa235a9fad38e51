package org.epost.overlay.sim;

import java.util.SplittableRandom;
import org.epost.overlay.api.Address;

/**
 * Carries encoded frames between simulated nodes with the latency model's delay and optional
 * independent loss. A frame to an address with no live node, or whose receiver dies before it
 * arrives, vanishes: abrupt failure, as when a desktop is switched off.
 */
final class VirtualNetwork {
  private final Simulation sim;
  private final LatencyModel latency;
  private final double lossRate;
  private final SplittableRandom lossRandom;
  private final TrafficCounters traffic;

  VirtualNetwork(Simulation sim, LatencyModel latency, double lossRate, long seed, TrafficCounters traffic) {
    this.sim = sim;
    this.latency = latency;
    this.lossRate = lossRate;
    this.lossRandom = new SplittableRandom(seed);
    this.traffic = traffic;
  }

  void send(NodeContext from, Address to, byte[] frame) {
    traffic.count(frame);
    if (lossRate > 0 && lossRandom.nextDouble() < lossRate) {
      return;
    }
    NodeContext dest = to.isVirtual() ? sim.context(to.port()) : null;
    if (dest == null || !dest.alive) {
      return;
    }
    long at = sim.nowMicros() + latency.delayMicros(from.position, dest.position);
    Address source = from.address;
    sim.scheduleFor(dest, at, new Delivery(dest, source, frame));
  }

  long delayMicros(NodeContext a, NodeContext b) {
    return latency.delayMicros(a.position, b.position);
  }

  /** A frame in flight; a named class so the trace can hash its bytes. */
  static final class Delivery implements Runnable {
    final NodeContext dest;
    final Address from;
    final byte[] frame;

    Delivery(NodeContext dest, Address from, byte[] frame) {
      this.dest = dest;
      this.from = from;
      this.frame = frame;
    }

    @Override
    public void run() {
      if (dest.receiver != null) {
        dest.receiver.receive(from, frame);
      }
    }
  }
}
