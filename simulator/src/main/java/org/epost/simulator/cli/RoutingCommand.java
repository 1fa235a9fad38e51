package org.epost.simulator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import org.epost.simulator.api.ProgressListener;
import org.epost.simulator.api.RoutingExperimentConfig;
import org.epost.simulator.api.RoutingSummary;
import org.epost.simulator.api.SimulatedRing;
import org.epost.simulator.report.RunReport;
import org.epost.simulator.routing.RoutingExperiment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code simulator routing}: lookups on a Pastry ring, quiet or under churn. */
@Command(
    name = "routing",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Builds a ring of simulated Pastry nodes, lets it settle, then routes lookups from random"
          + " live nodes to random keys while nodes fail abruptly and are replaced (churn).",
      "Writes to --out: summary.json, timeseries.csv, hops-histogram.csv, stretch.csv, PNG plots."
    },
    sortOptions = false)
final class RoutingCommand implements Callable<Integer> {

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Ring size (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--session-mean",
      defaultValue = "none",
      paramLabel = "DURATION|none",
      description =
          "Mean session time (exponential), or 'none' for a quiet ring (default: ${DEFAULT-VALUE}).")
  String sessionMean;

  @Option(
      names = "--settle",
      paramLabel = "DURATION",
      defaultValue = "2m",
      converter = DurationConverter.class,
      description =
          "Simulated time between the ring build and measurement (default: ${DEFAULT-VALUE}).")
  Duration settle;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description = "Simulated time of measurement (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--lookups-per-second",
      paramLabel = "RATE",
      defaultValue = "10",
      description = "Lookups per simulated second over the whole ring (default: ${DEFAULT-VALUE}).")
  double lookupsPerSecond;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "1",
      description = "Seed of the whole run (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--join-interval",
      paramLabel = "DURATION",
      defaultValue = "50ms",
      converter = DurationConverter.class,
      description =
          "Simulated time between two joins during the ring build (default: ${DEFAULT-VALUE}).")
  Duration joinInterval;

  @Option(
      names = "--lookup-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "A lookup not delivered within this simulated time is lost (default: ${DEFAULT-VALUE}).")
  Duration lookupTimeout;

  @CommandLine.Mixin RunOptions run;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final LongFunction<SimulatedRing> rings;

  RoutingCommand(LongFunction<SimulatedRing> rings) {
    this.rings = rings;
  }

  @Override
  public Integer call() {
    RoutingExperimentConfig config;
    try {
      Optional<Duration> session = SessionMeanConverter.parse(sessionMean);
      config =
          new RoutingExperimentConfig(
              nodes,
              session,
              settle,
              duration,
              lookupsPerSecond,
              seed,
              joinInterval,
              lookupTimeout);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Path dir = run.outputDirectory(spec, "routing", seed);
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    ProgressListener bar = run.progressBar();
    long baseline = HeapMeter.liveHeapBytes();
    SimulatedRing ring = rings.apply(seed);
    RoutingSummary summary =
        new RoutingExperiment(ring, config, bar, HeapMeter::liveHeapBytes, baseline).run();
    run.finishProgress(bar);
    RunReport.write(summary, dir);
    stdout.println(headline(summary.toFields()));
    stdout.println("outputs in " + dir.toAbsolutePath().normalize());
    stdout.flush();
    err.flush();
    return 0;
  }

  static String headline(Map<String, Object> f) {
    return String.format(
        Locale.ROOT,
        "nodes=%s lookups=%s lost=%s wrong_root=%s hops_avg=%s rdp_median=%s rdp_ratio_of_means=%s "
            + "control_msgs_per_node_per_s=%s ring_build_wall_seconds=%s wall_seconds=%s%n"
            + "speed: ring_build_wall_seconds=%s ring_build_cpu_seconds=%s "
            + "steady_sim_seconds_per_wall_second=%s steady_sim_seconds_per_cpu_second=%s heap_bytes_per_node=%s",
        f.get("nodes"),
        f.get("lookups"),
        f.get("lost"),
        f.get("wrong_root"),
        round(f.get("hops_avg")),
        round(f.get("rdp_median")),
        round(f.get("rdp_ratio_of_means")),
        round(f.get("control_msgs_per_node_per_s")),
        round(f.get("ring_build_wall_seconds")),
        round(f.get("wall_seconds")),
        round(f.get("ring_build_wall_seconds")),
        round(f.get("ring_build_cpu_seconds")),
        round(f.get("steady_sim_seconds_per_wall_second")),
        round(f.get("steady_sim_seconds_per_cpu_second")),
        round(f.get("heap_bytes_per_node")));
  }

  private static String round(Object v) {
    return v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : String.valueOf(v);
  }
}
