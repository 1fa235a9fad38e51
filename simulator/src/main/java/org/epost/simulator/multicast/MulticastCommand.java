package org.epost.simulator.multicast;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.simulator.cli.DurationConverter;
import org.epost.simulator.cli.RunOptions;
import org.epost.simulator.cli.SessionMeanConverter;
import org.epost.simulator.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code simulator multicast}: Scribe trees on a Pastry ring, quiet or under churn. */
@Command(
    name = "multicast",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Builds a ring of simulated Pastry nodes running Scribe, subscribes random nodes to each"
          + " topic, then publishes to random topics from random nodes while nodes fail and are"
          + " replaced (churn).",
      "Writes to --out: summary.json, timeseries.csv, depth-histogram.csv,",
      "delay-distribution.csv, PNG plots."
    },
    sortOptions = false)
public final class MulticastCommand implements Callable<Integer> {

  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Ring size (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--topics",
      paramLabel = "N",
      defaultValue = "100",
      description = "Topics (default: ${DEFAULT-VALUE}).")
  int topics;

  @Option(
      names = "--subscribers",
      paramLabel = "N",
      defaultValue = "10",
      description = "Subscribers per topic (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(
      names = "--publish-per-second",
      paramLabel = "RATE",
      defaultValue = "10",
      description =
          "Publications per simulated second over the whole ring (default: ${DEFAULT-VALUE}).")
  double publishPerSecond;

  @Option(
      names = "--session-mean",
      defaultValue = "none",
      paramLabel = "DURATION|none",
      description =
          "Mean session time (exponential), or 'none' for a quiet ring (default: ${DEFAULT-VALUE}).")
  String sessionMean;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description = "Simulated time of measurement (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "1",
      description = "Seed of the whole run (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--settle",
      paramLabel = "DURATION",
      defaultValue = "1m",
      converter = DurationConverter.class,
      description =
          "Simulated time between the ring build and the subscriptions (default: ${DEFAULT-VALUE}).")
  Duration settle;

  @Option(
      names = "--join-interval",
      paramLabel = "DURATION",
      defaultValue = "20ms",
      converter = DurationConverter.class,
      description =
          "Simulated time between two joins during the ring build (default: ${DEFAULT-VALUE}).")
  Duration joinInterval;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "A publication not delivered this long after it was published is lost (default: ${DEFAULT-VALUE}).")
  Duration deadline;

  @Option(
      names = "--no-parent-optimization",
      description =
          "Keep the trees exactly as the join routes built them (no re-attaching to closer ancestors).")
  boolean noParentOptimization;

  @CommandLine.Mixin RunOptions run;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    MulticastConfig config;
    try {
      Optional<Duration> session = SessionMeanConverter.parse(sessionMean);
      config =
          new MulticastConfig(
              nodes,
              topics,
              subscribers,
              publishPerSecond,
              session,
              duration,
              seed,
              settle,
              joinInterval,
              deadline);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Path dir = run.outputDirectory(spec, "multicast", seed);
    PrintWriter stdout = spec.commandLine().getOut();
    MulticastSummary summary =
        new MulticastExperiment(
                config,
                ScribeConfig.defaults().withParentOptimization(!noParentOptimization),
                run.progressLines())
            .run();
    run.finishProgress(null);
    MulticastReport.write(summary, dir);
    stdout.println(headline(summary.toFields()));
    stdout.println("outputs in " + dir.toAbsolutePath().normalize());
    stdout.flush();
    return 0;
  }

  static String headline(Map<String, Object> f) {
    StringBuilder sb = new StringBuilder();
    for (String k :
        new String[] {
          "nodes",
          "publications",
          "expected_deliveries",
          "deliveries",
          "delivery_ratio",
          "delay_penalty_avg",
          "link_stress_avg",
          "link_stress_max",
          "tree_depth_avg",
          "failures",
          "wall_seconds"
        }) {
      Object v = f.get(k);
      sb.append(sb.length() == 0 ? "" : " ")
          .append(k)
          .append('=')
          .append(
              v instanceof Double d ? String.format(Locale.ROOT, "%.5f", d) : String.valueOf(v));
    }
    return sb.toString();
  }
}
