package org.epost.overlay.scribe.api;

/**
 * Tuning and bounds of a Scribe node. {@link #defaults()} is what the benchmarks use.
 *
 * @param applicationId the overlay application id Scribe registers under (every node of a ring must
 *     use the same)
 * @param heartbeatMillis period at which a child tells its parent it is alive; a parent that does
 *     not answer one heartbeat before the next is taken as failed
 * @param childTimeoutMillis silence after which a parent drops a child
 * @param joinRetryMillis first wait for a join acknowledgement before the join is sent again
 *     (doubles, up to 8x)
 * @param maxChildrenPerTopic children one node takes per topic; further joins pass on or are
 *     redirected
 * @param maxTopics topics (trees) one node takes part in, as subscriber, forwarder or root
 * @param maxPayloadBytes largest publication or anycast payload
 * @param bufferWindowMillis how long a node keeps recent publications to resend to a re-joining
 *     child
 * @param bufferPerTopic recent publications kept per topic
 * @param maxBufferedBytes payload bytes kept for resending, over all topics
 * @param anycastTimeoutMillis an anycast without an answer after this long completes as timed out
 * @param maxPendingAnycasts anycasts this node may have outstanding
 * @param optimizeParents whether a node probes its ancestors and re-attaches to one that is closer
 *     in delay from the root than its current path (ADR 0077)
 */
public record ScribeConfig(
    int applicationId,
    long heartbeatMillis,
    long childTimeoutMillis,
    long joinRetryMillis,
    int maxChildrenPerTopic,
    int maxTopics,
    int maxPayloadBytes,
    long bufferWindowMillis,
    int bufferPerTopic,
    long maxBufferedBytes,
    long anycastTimeoutMillis,
    int maxPendingAnycasts,
    boolean optimizeParents) {

  /** The largest payload the wire format carries. */
  public static final int PAYLOAD_LIMIT = 48 * 1024;

  public ScribeConfig {
    if (applicationId < 16 || applicationId > 0xFFFF) {
      throw new IllegalArgumentException("application id must be in 16..65535: " + applicationId);
    }
    if (heartbeatMillis <= 0
        || childTimeoutMillis <= heartbeatMillis
        || joinRetryMillis <= 0
        || bufferWindowMillis < 0
        || anycastTimeoutMillis <= 0) {
      throw new IllegalArgumentException(
          "periods must be positive and the child timeout longer than the heartbeat");
    }
    if (maxChildrenPerTopic < 1
        || maxChildrenPerTopic > 1024
        || maxTopics < 1
        || maxTopics > 100_000
        || bufferPerTopic < 0
        || bufferPerTopic > 1024
        || maxBufferedBytes < 0
        || maxPendingAnycasts < 1) {
      throw new IllegalArgumentException(
          "bounds out of range: children 1..1024, topics 1..100000, buffer 0..1024");
    }
    if (maxPayloadBytes < 0 || maxPayloadBytes > PAYLOAD_LIMIT) {
      throw new IllegalArgumentException(
          "payload limit must be in 0.." + PAYLOAD_LIMIT + ": " + maxPayloadBytes);
    }
  }

  /**
   * Application id 40; heartbeat 3 s, child timeout 10 s, join retry 2 s; 32 children per topic,
   * 4,096 topics; payloads up to 32 KiB; 32 recent publications kept per topic for 60 s, at most 8
   * MiB in all; anycast timeout 10 s, 256 outstanding; parent optimisation on.
   */
  public static ScribeConfig defaults() {
    return new ScribeConfig(
        40, 3_000, 10_000, 2_000, 32, 4_096, 32 * 1024, 60_000, 32, 8L << 20, 10_000, 256, true);
  }

  /** A copy with parent optimisation switched on or off. */
  public ScribeConfig withParentOptimization(boolean on) {
    return new ScribeConfig(
        applicationId,
        heartbeatMillis,
        childTimeoutMillis,
        joinRetryMillis,
        maxChildrenPerTopic,
        maxTopics,
        maxPayloadBytes,
        bufferWindowMillis,
        bufferPerTopic,
        maxBufferedBytes,
        anycastTimeoutMillis,
        maxPendingAnycasts,
        on);
  }

  /** A copy with other per-node bounds (for tests and experiments). */
  public ScribeConfig withBounds(int maxChildrenPerTopic, int maxTopics) {
    return new ScribeConfig(
        applicationId,
        heartbeatMillis,
        childTimeoutMillis,
        joinRetryMillis,
        maxChildrenPerTopic,
        maxTopics,
        maxPayloadBytes,
        bufferWindowMillis,
        bufferPerTopic,
        maxBufferedBytes,
        anycastTimeoutMillis,
        maxPendingAnycasts,
        optimizeParents);
  }

  /** A copy with another buffer (0 publications turns resending after a re-join off). */
  public ScribeConfig withBuffer(int bufferPerTopic, long bufferWindowMillis) {
    return new ScribeConfig(
        applicationId,
        heartbeatMillis,
        childTimeoutMillis,
        joinRetryMillis,
        maxChildrenPerTopic,
        maxTopics,
        maxPayloadBytes,
        bufferWindowMillis,
        bufferPerTopic,
        maxBufferedBytes,
        anycastTimeoutMillis,
        maxPendingAnycasts,
        optimizeParents);
  }
}
