package org.epost.overlay.sim;

import java.util.SplittableRandom;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;

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

  VirtualNetwork(
      Simulation sim, LatencyModel latency, double lossRate, long seed, TrafficCounters traffic) {
    this.sim = sim;
    this.latency = latency;
    this.lossRate = lossRate;
    this.lossRandom = new SplittableRandom(seed);
    this.traffic = traffic;
  }

  /**
   * Sends {@code frame} to the live node at {@code to} if its id is {@code expectedId} (null: any
   * node), the virtual analogue of the TCP transport's handshake check (ADR 0060): a handle naming
   * one node's id with another node's address diverts nothing.
   */
  void send(NodeContext from, Address to, Id expectedId, byte[] frame) {
    traffic.count(frame);
    if (lossRate > 0 && lossRandom.nextDouble() < lossRate) {
      return;
    }
    NodeContext dest = to.isVirtual() ? sim.context(to.port()) : null;
    if (dest == null || !dest.alive || from.cutOff || dest.cutOff) {
      return;
    }
    if (expectedId != null && (dest.node == null || !dest.node.id().equals(expectedId))) {
      return;
    }
    long at = sim.nowMicros() + latency.delayMicros(from.position, dest.position);
    sim.scheduleFrame(dest, at, from.address, frame);
  }

  long delayMicros(NodeContext a, NodeContext b) {
    return latency.delayMicros(a.position, b.position);
  }
}
