package org.epost.simulator.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * Cumulative frame counts on the virtual network. Lookup frames are the routed lookup messages
 * themselves; every other frame (joins, leaf-set heartbeats, routing-table maintenance, per-hop
 * acknowledgements, probes) is control traffic.
 *
 * @param messagesByType frames sent per message type name
 * @param bytesByType encoded bytes sent per message type name
 * @param lookupType the message type name of routed lookups
 */
public record TrafficTotals(
    Map<String, Long> messagesByType, Map<String, Long> bytesByType, String lookupType) {

  public TrafficTotals {
    messagesByType = Map.copyOf(messagesByType);
    bytesByType = Map.copyOf(bytesByType);
  }

  public static TrafficTotals empty(String lookupType) {
    return new TrafficTotals(Map.of(), Map.of(), lookupType);
  }

  public long totalMessages() {
    return messagesByType.values().stream().mapToLong(Long::longValue).sum();
  }

  public long totalBytes() {
    return bytesByType.values().stream().mapToLong(Long::longValue).sum();
  }

  public long controlMessages() {
    return totalMessages() - messagesByType.getOrDefault(lookupType, 0L);
  }

  public long controlBytes() {
    return totalBytes() - bytesByType.getOrDefault(lookupType, 0L);
  }

  /** Per-type difference {@code this - earlier}, sorted by type name. */
  public Map<String, Long> messagesSince(TrafficTotals earlier) {
    Map<String, Long> out = new TreeMap<>();
    messagesByType.forEach((k, v) -> out.put(k, v - earlier.messagesByType.getOrDefault(k, 0L)));
    return out;
  }
}
