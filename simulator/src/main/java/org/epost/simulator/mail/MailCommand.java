package org.epost.simulator.mail;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.epost.simulator.api.ProgressListener;
import org.epost.simulator.cli.CorrelatedFailure;
import org.epost.simulator.cli.DurationConverter;
import org.epost.simulator.cli.RunOptions;
import org.epost.simulator.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code simulator mail}: users sending mail through the real POST services on every simulated
 * node, under churn, failures and byzantine storers (ADR 0105).
 */
@Command(
    name = "mail",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Builds a ring with one user per node, each running PAST, Scribe and the POST services"
          + " (message store, signed logs, notification, directory), enrols every user through"
          + " the directory, then runs a mail workload under churn: each message is stored once,"
          + " filed in the sender's Sent log and announced to each recipient, who files it in"
          + " its INBOX log.",
      "Writes to --out: summary.json, hourly.csv, delivery-distribution.csv, PNG plots."
    },
    sortOptions = false)
public final class MailCommand implements Callable<Integer> {
  @Option(
      names = "--users",
      paramLabel = "N",
      defaultValue = "100",
      description = "Users, one per node (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      defaultValue = "1d",
      converter = DurationConverter.class,
      description = "Simulated time of mail and churn (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--messages-per-user-per-day",
      paramLabel = "RATE",
      defaultValue = "10",
      description =
          "Mean messages each user sends per simulated day; senders are drawn among online users"
              + " (default: ${DEFAULT-VALUE}).")
  double messagesPerUserPerDay;

  @Option(
      names = "--size-mix",
      paramLabel = "T:O:S:L",
      defaultValue = "70:25:4:1",
      description =
          "Weights of short texts (2.3 KB), ordinary messages (5 KB), messages with a small and"
              + " with a large attachment (default: ${DEFAULT-VALUE}).")
  String sizeMix;

  @Option(
      names = "--small-attachment",
      paramLabel = "BYTES",
      defaultValue = "200000",
      description = "Size of a small attachment (default: ${DEFAULT-VALUE}).")
  int smallAttachment;

  @Option(
      names = "--large-attachment",
      paramLabel = "BYTES",
      defaultValue = "3000000",
      description = "Size of a large attachment (default: ${DEFAULT-VALUE}).")
  int largeAttachment;

  @Option(
      names = "--max-recipients",
      paramLabel = "N",
      defaultValue = "5",
      description = "Recipients per message, uniform in 1..N (default: ${DEFAULT-VALUE}).")
  int maxRecipients;

  @Option(
      names = "--offline-recipient-share",
      paramLabel = "FRACTION",
      defaultValue = "0.2",
      description =
          "Probability that a recipient is drawn among the users offline at the time"
              + " (default: ${DEFAULT-VALUE}).")
  double offlineShare;

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
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "Mean offline period, exponential; the node returns with its disk (default: ${DEFAULT-VALUE}).")
  Duration offlineMean;

  @Option(
      names = "--departures-per-day",
      defaultValue = "0.1",
      paramLabel = "FRACTION",
      description =
          "Fraction of users leaving for good per simulated day, replaced by new enrolled users"
              + " (default: ${DEFAULT-VALUE}).")
  double departuresPerDay;

  @Option(
      names = "--correlated-failure",
      defaultValue = "0@0",
      paramLabel = "FRACTION@TIME",
      description =
          "Fraction of live nodes failing at once at TIME after the mail starts, e.g. 0.3@3d"
              + " (default: none).")
  String correlated;

  @Option(
      names = "--byzantine",
      defaultValue = "0",
      paramLabel = "FRACTION",
      description =
          "Fraction of nodes whose PAST store drops, corrupts, serves stale versions or only"
              + " claims (default: ${DEFAULT-VALUE}).")
  double byzantine;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      defaultValue = "5",
      description = "k of PAST (default: ${DEFAULT-VALUE}).")
  int replicas;

  @Option(
      names = "--seed",
      paramLabel = "SEED",
      defaultValue = "1",
      description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--drain",
      paramLabel = "DURATION",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "After the churn: every remaining user back online for this long before losses are"
              + " counted (default: ${DEFAULT-VALUE}).")
  Duration drain;

  @Option(
      names = "--verify-users",
      paramLabel = "N",
      defaultValue = "20",
      description =
          "Users whose INBOX is opened with an empty cache at the end and whose messages are read"
              + " back and compared (default: ${DEFAULT-VALUE}).")
  int verifyUsers;

  @CommandLine.Mixin RunOptions run;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    MailConfig cfg;
    try {
      CorrelatedFailure failure = CorrelatedFailure.parse(correlated);
      List<Integer> mix = new ArrayList<>();
      for (String w : sizeMix.split(":")) {
        mix.add(Integer.parseInt(w.strip()));
      }
      cfg =
          new MailConfig(
              users,
              duration,
              messagesPerUserPerDay,
              mix,
              smallAttachment,
              largeAttachment,
              maxRecipients,
              offlineShare,
              sessionMean,
              offlineMean,
              departuresPerDay,
              failure.fraction(),
              failure.at(),
              byzantine,
              replicas,
              seed,
              drain,
              verifyUsers);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    Path dir = run.outputDirectory(spec, "mail", seed);
    ProgressListener bar = run.progressBar();
    MailSummary s = new MailExperiment(cfg, bar).run();
    run.finishProgress(bar);
    MailReport.write(s, dir);
    PrintWriter o = spec.commandLine().getOut();
    o.println(
        String.format(
            Locale.ROOT,
            "deliveries_acknowledged=%s deliveries_filed=%s deliveries_lost=%s"
                + " delivery_p50_seconds=%s delivery_p99_seconds=%s"
                + " return_to_delivery_p99_seconds=%s storage_over_raw=%s"
                + " messages_verified_corrupt=%s log_rollbacks_detected=%s wall_seconds=%s",
            s.fields().get("deliveries_acknowledged"),
            s.fields().get("deliveries_filed"),
            s.fields().get("deliveries_lost"),
            s.fields().get("delivery_p50_seconds"),
            s.fields().get("delivery_p99_seconds"),
            s.fields().get("return_to_delivery_p99_seconds"),
            s.fields().get("storage_over_raw"),
            s.fields().get("messages_verified_corrupt"),
            s.fields().get("log_rollbacks_detected"),
            s.fields().get("wall_seconds")));
    o.println("outputs in " + dir.toAbsolutePath().normalize());
    o.flush();
    return 0;
  }
}
