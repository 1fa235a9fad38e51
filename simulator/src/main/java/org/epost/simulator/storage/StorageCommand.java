package org.epost.simulator.storage;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.epost.simulator.cli.CorrelatedFailure;
import org.epost.simulator.cli.DurationConverter;
import org.epost.simulator.cli.RunOptions;
import org.epost.simulator.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code simulator storage}: PAST durability and availability under churn, failures and byzantine
 * storers.
 */
@Command(
    name = "storage",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Builds a ring of simulated PAST nodes, inserts objects, then runs days of churn: nodes go"
          + " offline and come back with their disk, a fraction leaves for good each day and is"
          + " replaced, with an optional correlated failure and optional byzantine storers;"
          + " readers look up random objects.",
      "Writes to --out: summary.json, hourly.csv, PNG plots."
    },
    sortOptions = false)
public final class StorageCommand implements Callable<Integer> {
  @Option(
      names = "--nodes",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Ring size (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--objects",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Objects inserted (default: ${DEFAULT-VALUE}).")
  int objects;

  @Option(
      names = "--object-size",
      defaultValue = "4700",
      paramLabel = "BYTES",
      description = "Bytes per object (default: ${DEFAULT-VALUE}).")
  int objectSize;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      defaultValue = "5",
      description = "k (default: ${DEFAULT-VALUE}).")
  int replicas;

  @Option(
      names = "--session-mean",
      paramLabel = "DURATION",
      defaultValue = "60m",
      converter = DurationConverter.class,
      description = "Mean online session, exponential (default: ${DEFAULT-VALUE}).")
  Duration sessionMean;

  @Option(
      names = "--offline-mean",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Mean offline period, exponential; the node returns with its disk (default: the session mean).")
  Duration offlineMean;

  @Option(
      names = "--departures-per-day",
      defaultValue = "0.1",
      paramLabel = "FRACTION",
      description =
          "Fraction of nodes leaving for good per simulated day, replaced by new ones (default: ${DEFAULT-VALUE}).")
  double departuresPerDay;

  @Option(
      names = "--days",
      paramLabel = "DAYS",
      defaultValue = "7",
      description = "Simulated days of churn (default: ${DEFAULT-VALUE}).")
  double days;

  @Option(
      names = "--correlated-failure",
      defaultValue = "0@0",
      paramLabel = "FRACTION@TIME",
      description =
          "Fraction of live nodes failing at once at TIME after the churn starts, e.g. 0.3@3d (default: none).")
  String correlated;

  @Option(
      names = "--byzantine",
      defaultValue = "0",
      paramLabel = "FRACTION",
      description =
          "Fraction of nodes whose store drops, corrupts, serves stale versions or claims (default: ${DEFAULT-VALUE}).")
  double byzantine;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "1",
      description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--lookups-per-second",
      paramLabel = "RATE",
      defaultValue = "1",
      description = "Ring-wide lookup rate (default: ${DEFAULT-VALUE}).")
  double lookupsPerSecond;

  @Option(
      names = "--mutable-objects",
      paramLabel = "N",
      defaultValue = "-1",
      description =
          "Signed mutable objects among the objects, updated about daily (default: 1%% of --objects).")
  int mutableObjects;

  @Option(
      names = "--maintenance",
      paramLabel = "DURATION",
      defaultValue = "60m",
      converter = DurationConverter.class,
      description = "Period of PAST's digest exchange backstop (default: ${DEFAULT-VALUE}).")
  Duration maintenance;

  @Option(
      names = "--heartbeat",
      paramLabel = "DURATION",
      defaultValue = "20s",
      converter = DurationConverter.class,
      description = "Pastry leaf-set heartbeat period (default: ${DEFAULT-VALUE}).")
  Duration heartbeat;

  @Option(
      names = "--routing-maintenance",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "Period of Pastry's routing-table maintenance; PAST's figures do not depend on table freshness "
              + "(default: ${DEFAULT-VALUE}).")
  Duration routingMaintenance;

  @Option(
      names = "--absence-timeout",
      paramLabel = "DURATION",
      defaultValue = "8h",
      converter = DurationConverter.class,
      description =
          "How long PAST waits for an absent node before replacing its copies (default: ${DEFAULT-VALUE}).")
  Duration absenceTimeout;

  @Option(
      names = "--min-reachable",
      paramLabel = "N",
      defaultValue = "3",
      description =
          "Availability repair: add a copy when fewer holders than this are online for the grace; 0 = off "
              + "(default: ${DEFAULT-VALUE}).")
  int minReachable;

  @Option(
      names = "--reachable-grace",
      paramLabel = "DURATION",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "How long an object may have too few online holders before a copy is added (default: ${DEFAULT-VALUE}).")
  Duration reachableGrace;

  @CommandLine.Mixin RunOptions run;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    StorageConfig cfg;
    try {
      CorrelatedFailure failure = CorrelatedFailure.parse(correlated);
      cfg =
          new StorageConfig(
              nodes,
              objects,
              objectSize,
              replicas,
              sessionMean,
              offlineMean == null ? sessionMean : offlineMean,
              departuresPerDay,
              Duration.ofMillis((long) (days * 86_400_000L)),
              failure.fraction(),
              failure.at(),
              byzantine,
              seed,
              lookupsPerSecond,
              mutableObjects < 0 ? objects / 100 : mutableObjects,
              maintenance,
              heartbeat,
              routingMaintenance,
              absenceTimeout,
              minReachable,
              reachableGrace);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Path dir = run.outputDirectory(spec, "storage", seed);
    StorageSummary s =
        new StorageExperiment(cfg, run.progressLines(), soFar -> StorageReport.write(soFar, dir))
            .run();
    run.finishProgress(null);
    StorageReport.write(s, dir);
    PrintWriter o = spec.commandLine().getOut();
    o.println(
        String.format(
            Locale.ROOT,
            "objects_lost=%s lookup_availability=%s corruptions_served=%s corruptions_detected=%s corruptions_returned=%s "
                + "repair_bytes_per_node_per_s=%s (availability %s) ideal=%s storage_max_over_mean=%s wall_seconds=%s",
            s.fields().get("objects_lost"),
            s.fields().get("lookup_availability"),
            s.fields().get("corruptions_served"),
            s.fields().get("corruptions_detected"),
            s.fields().get("corruptions_returned"),
            s.fields().get("repair_bytes_per_node_per_s"),
            s.fields().get("availability_repair_bytes_per_node_per_s"),
            s.fields().get("ideal_repair_bytes_per_node_per_s"),
            s.fields().get("storage_max_over_mean"),
            s.fields().get("wall_seconds")));
    o.println("outputs in " + dir.toAbsolutePath().normalize());
    o.flush();
    return 0;
  }
}
