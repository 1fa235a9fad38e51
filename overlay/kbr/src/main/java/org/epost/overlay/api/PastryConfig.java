package org.epost.overlay.api;

/**
 * Tuning of a Pastry node. Defaults ({@link #defaults()}) are those the benchmarks use.
 *
 * @param leafSetSize total leaf set size L (L/2 each side), even, 2..64
 * @param heartbeatMillis period of the leaf-set heartbeat to each immediate neighbour
 * @param failureTimeoutMillis silence after which an immediate neighbour is probed
 * @param ackTimeoutMillis time a hop waits for the next hop's acknowledgement before rerouting
 * @param maintenanceMillis period of routing-table maintenance (one row exchange per period)
 * @param joinTimeoutMillis time a joining node waits for its join reply before retrying
 */
public record PastryConfig(
    int leafSetSize,
    long heartbeatMillis,
    long failureTimeoutMillis,
    long ackTimeoutMillis,
    long maintenanceMillis,
    long joinTimeoutMillis) {

  public PastryConfig {
    if (leafSetSize < 2 || leafSetSize > 64 || leafSetSize % 2 != 0) {
      throw new IllegalArgumentException("leaf set size must be even, 2..64: " + leafSetSize);
    }
    if (heartbeatMillis <= 0
        || failureTimeoutMillis <= heartbeatMillis
        || ackTimeoutMillis <= 0
        || maintenanceMillis <= 0
        || joinTimeoutMillis <= 0) {
      throw new IllegalArgumentException(
          "periods must be positive and failure timeout > heartbeat");
    }
  }

  /**
   * L = 24, heartbeat 10 s, failure timeout 25 s, ack timeout 500 ms, maintenance 60 s, join
   * timeout 5 s.
   */
  public static PastryConfig defaults() {
    return new PastryConfig(24, 10_000, 25_000, 500, 60_000, 5_000);
  }
}
