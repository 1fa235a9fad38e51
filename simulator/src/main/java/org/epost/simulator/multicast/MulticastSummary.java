package org.epost.simulator.multicast;

import java.util.LinkedHashMap;
import java.util.Map;

/** The figures of one multicast run; {@link #toFields()} is what {@code summary.json} holds. */
public final class MulticastSummary {
  final MulticastConfig config;
  final DeliveryTracker tracker;
  private final Map<String, Object> fields = new LinkedHashMap<>();

  MulticastSummary(
      MulticastConfig config,
      DeliveryTracker tracker,
      long failures,
      long scribeMessages,
      long allMessages,
      Map<String, Long> scribeCounters,
      int liveNodesAtEnd,
      double simSeconds,
      long events,
      double wallSeconds) {
    this.config = config;
    this.tracker = tracker;
    DeliveryTracker.Totals t = tracker.total;
    double seconds = config.duration().toNanos() / 1e9 + config.deadline().toNanos() / 1e9;
    fields.put("experiment", "multicast");
    fields.put("nodes", config.nodes());
    fields.put("seed", config.seed());
    fields.put("topics", config.topics());
    fields.put("subscribers_per_topic", config.subscribers());
    fields.put("publish_per_second", config.publishPerSecond());
    fields.put(
        "session_mean_seconds",
        config.sessionMean().map(d -> (Object) (d.toNanos() / 1e9)).orElse(null));
    fields.put("settle_seconds", config.settle().toNanos() / 1e9);
    fields.put("duration_seconds", config.duration().toNanos() / 1e9);
    fields.put("join_interval_seconds", config.joinInterval().toNanos() / 1e9);
    fields.put("deadline_seconds", config.deadline().toNanos() / 1e9);
    fields.put("publications", t.publications);
    fields.put("expected_deliveries", t.expected);
    fields.put("deliveries", t.delivered);
    fields.put("lost_deliveries", t.expected - t.delivered);
    fields.put("delivery_ratio", t.ratio());
    fields.put("all_delivered", t.expected == t.delivered);
    fields.put("duplicate_deliveries", t.duplicates);
    fields.put("unexpected_deliveries", tracker.unexpectedDeliveries);
    fields.put(
        "delay_penalty_avg", t.penaltyCount == 0 ? Double.NaN : t.penaltySum / t.penaltyCount);
    fields.put("delay_penalty_median", median(tracker.penalties));
    fields.put(
        "delay_penalty_from_publisher_avg",
        t.publisherPenaltyCount == 0
            ? Double.NaN
            : t.publisherPenaltySum / t.publisherPenaltyCount);
    fields.put("link_stress_avg", t.links == 0 ? Double.NaN : (double) t.linkCopies / t.links);
    fields.put("link_stress_max", t.linkStressMax);
    fields.put("tree_depth_avg", t.delivered == 0 ? Double.NaN : (double) t.depthSum / t.delivered);
    fields.put("failures", failures);
    fields.put("live_nodes_end", liveNodesAtEnd);
    fields.put("scribe_msgs_per_node_per_s", scribeMessages / (double) config.nodes() / seconds);
    fields.put("all_msgs_per_node_per_s", allMessages / (double) config.nodes() / seconds);
    fields.putAll(scribeCounters);
    fields.put("sim_seconds", simSeconds);
    fields.put("events", events);
    fields.put("wall_seconds", wallSeconds);
  }

  private static double median(java.util.List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  /** Every figure, in a stable order, for {@code summary.json}. */
  public Map<String, Object> toFields() {
    return java.util.Collections.unmodifiableMap(fields);
  }
}
