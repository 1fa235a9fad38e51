package org.epost.simulator.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The result of one routing experiment; {@link #toFields()} is what {@code summary.json} holds.
 * Rates are per lookup issued during the measurement phase; per-node traffic rates are over the
 * measurement phase and the mean number of live nodes during it.
 */
public record RoutingSummary(
    RoutingExperimentConfig config,
    long lookups,
    long delivered,
    long lost,
    long lostNearJoiningNode,
    long lateOrDuplicateDeliveries,
    long wrongRoot,
    double hopsAvg,
    int hopsMax,
    long[] hopHistogram,
    double rdpMedian,
    double rdpRatioOfMeans,
    long rdpSamples,
    long rdpUnknown,
    double[] rdpPercentiles,
    double controlMsgsPerNodePerS,
    double controlBytesPerNodePerS,
    double bytesPerNodePerS,
    Map<String, Long> measuredMessagesByType,
    double liveNodesAvg,
    int liveNodesEnd,
    long joinsStarted,
    long failures,
    double ringBuildSimSeconds,
    double ringBuildWallSeconds,
    double ringBuildCpuSeconds,
    int ringBuildUnjoined,
    double simSeconds,
    double wallSeconds,
    double steadySimSecondsPerWallSecond,
    double steadySimSecondsPerCpuSecond,
    long events,
    long heapLiveBytes,
    long heapBaselineBytes,
    List<MinuteSample> series) {

  /** Fields that depend on the machine and the moment, not only on the seed. */
  public static final Set<String> WALL_CLOCK_FIELDS =
      Set.of(
          "ring_build_wall_seconds",
          "wall_seconds",
          "sim_seconds_per_wall_second",
          "steady_sim_seconds_per_wall_second",
          "events_per_wall_second",
          "ring_build_cpu_seconds",
          "steady_sim_seconds_per_cpu_second",
          "heap_bytes_per_node",
          "heap_bytes_per_node_above_baseline",
          "heap_live_bytes",
          "heap_baseline_bytes");

  public double lossRate() {
    return lookups == 0 ? 0 : (double) lost / lookups;
  }

  public double wrongRootRate() {
    return lookups == 0 ? 0 : (double) wrongRoot / lookups;
  }

  /** The fields of {@code summary.json}, in a stable order. */
  public Map<String, Object> toFields() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("experiment", "routing");
    f.put("nodes", config.nodes());
    f.put("seed", config.seed());
    f.put(
        "session_mean_seconds",
        config.sessionMean().map(d -> (Object) (d.toMillis() / 1000.0)).orElse(null));
    f.put("settle_seconds", config.settle().toMillis() / 1000.0);
    f.put("duration_seconds", config.duration().toMillis() / 1000.0);
    f.put("lookups_per_second", config.lookupsPerSecond());
    f.put("join_interval_seconds", config.joinInterval().toNanos() / 1e9);
    f.put("lookup_timeout_seconds", config.lookupTimeout().toMillis() / 1000.0);
    f.put("lookups", lookups);
    f.put("delivered", delivered);
    f.put("lost", lost);
    f.put("loss_rate", lossRate());
    f.put("lost_near_joining_node", lostNearJoiningNode);
    f.put("wrong_root", wrongRoot);
    f.put("wrong_root_rate", wrongRootRate());
    f.put("late_or_duplicate_deliveries", lateOrDuplicateDeliveries);
    f.put("hops_avg", hopsAvg);
    f.put("hops_max", hopsMax);
    f.put("rdp_median", rdpMedian);
    f.put("rdp_ratio_of_means", rdpRatioOfMeans);
    f.put("rdp_samples", rdpSamples);
    f.put("rdp_unknown", rdpUnknown);
    f.put("control_msgs_per_node_per_s", controlMsgsPerNodePerS);
    f.put("control_bytes_per_node_per_s", controlBytesPerNodePerS);
    f.put("bytes_per_node_per_s", bytesPerNodePerS);
    f.put("messages_by_type", measuredMessagesByType);
    f.put("live_nodes_avg", liveNodesAvg);
    f.put("live_nodes_end", liveNodesEnd);
    f.put("joins_started", joinsStarted);
    f.put("failures", failures);
    f.put("ring_build_sim_seconds", ringBuildSimSeconds);
    f.put("ring_build_wall_seconds", ringBuildWallSeconds);
    f.put("ring_build_cpu_seconds", ringBuildCpuSeconds);
    f.put("ring_build_unjoined", ringBuildUnjoined);
    f.put("sim_seconds", simSeconds);
    f.put("wall_seconds", wallSeconds);
    f.put("sim_seconds_per_wall_second", wallSeconds > 0 ? simSeconds / wallSeconds : null);
    f.put("steady_sim_seconds_per_wall_second", steadySimSecondsPerWallSecond);
    f.put("steady_sim_seconds_per_cpu_second", steadySimSecondsPerCpuSecond);
    f.put("events", events);
    f.put("events_per_wall_second", wallSeconds > 0 ? events / wallSeconds : null);
    f.put("heap_live_bytes", heapLiveBytes);
    f.put("heap_baseline_bytes", heapBaselineBytes);
    f.put("heap_bytes_per_node", liveNodesEnd == 0 ? null : (double) heapLiveBytes / liveNodesEnd);
    f.put(
        "heap_bytes_per_node_above_baseline",
        liveNodesEnd == 0 ? null : (double) (heapLiveBytes - heapBaselineBytes) / liveNodesEnd);
    return f;
  }
}
