package org.epost.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.epost.simulator.pastry.PastryRing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * What every experiment promises on the command line: the same run options, output folders never
 * silently overwritten and checked before the run, one-line input errors with exit code 2, help
 * that is not cut mid-sentence, -V with the project version, and the same summary field names.
 */
class CommandLineContractTest {

  private static final Map<String, List<String>> SMALL_RUNS =
      Map.of(
          "routing",
          List.of("routing", "--nodes", "20", "--settle", "10s", "--duration", "1m"),
          "storage",
          List.of("storage", "--nodes", "15", "--objects", "20", "--days", "0.02"),
          "mail",
          List.of(
              "mail", "--users", "12", "--duration", "10m", "--drain", "1m", "--verify-users", "2"),
          "multicast",
          List.of(
              "multicast",
              "--nodes",
              "20",
              "--topics",
              "2",
              "--subscribers",
              "3",
              "--duration",
              "1m"));

  @TempDir Path tmp;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(List<String> base, String... more) {
    CommandLine cli = SimulatorMain.commandLine(PastryRing::create);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    String[] args = new String[base.size() + more.length];
    for (int i = 0; i < base.size(); i++) {
      args[i] = base.get(i);
    }
    System.arraycopy(more, 0, args, base.size(), more.length);
    return cli.execute(args);
  }

  private void assertOneLineInputError(int code) {
    assertEquals(2, code, err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertFalse(err.toString().contains("\tat "), "no stack trace without --verbose: " + err);
  }

  @ParameterizedTest
  @ValueSource(strings = {"routing", "storage", "multicast", "mail"})
  void aNonEmptyOutFolderIsRefusedUnlessForced(String experiment) throws IOException {
    Path dir = tmp.resolve("full");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("summary.json"), "earlier run");
    assertOneLineInputError(run(SMALL_RUNS.get(experiment), "--quiet", "--out", dir.toString()));
    assertTrue(err.toString().contains("--force"), err.toString());
    assertEquals("earlier run", Files.readString(dir.resolve("summary.json")));
    assertEquals(
        0,
        run(SMALL_RUNS.get(experiment), "--quiet", "--force", "--out", dir.toString()),
        err.toString());
    Map<String, String> f = SummaryFields.read(dir.resolve("summary.json"));
    for (String common :
        List.of(
            "experiment",
            "nodes",
            "seed",
            "session_mean_seconds",
            "duration_seconds",
            "live_nodes_end",
            "sim_seconds",
            "events",
            "wall_seconds")) {
      assertTrue(f.containsKey(common), experiment + " summary has " + common + ": " + f.keySet());
    }
    assertEquals("\"" + experiment + "\"", f.get("experiment"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"routing", "storage", "multicast", "mail"})
  void anUnwritableOutFolderFailsBeforeTheRun(String experiment) throws IOException {
    Path file = tmp.resolve("a-file");
    Files.writeString(file, "x");
    long start = System.nanoTime();
    assertOneLineInputError(
        run(SMALL_RUNS.get(experiment), "--out", file.resolve("run").toString()));
    assertTrue(err.toString().contains("cannot write to --out"), err.toString());
    assertTrue(System.nanoTime() - start < 2_000_000_000L, "refused before simulating");
  }

  @ParameterizedTest
  @ValueSource(strings = {"routing", "storage", "multicast", "mail"})
  void inputErrorsAreOneLineWithExitCode2(String experiment) {
    assertOneLineInputError(run(List.of(experiment, "--no-such-option")));
    assertTrue(err.toString().contains("help " + experiment), err.toString());
    err.getBuffer().setLength(0);
    assertOneLineInputError(run(List.of(experiment, "--nodes", "many")));
    assertTrue(err.toString().contains("--nodes"), err.toString());
    err.getBuffer().setLength(0);
    assertOneLineInputError(run(List.of(experiment, "--progress", "loud")));
  }

  @Test
  void verboseAddsTheStackTrace() {
    assertEquals(2, run(List.of("routing", "--nodes", "many", "--verbose")));
    assertTrue(err.toString().contains("\tat "), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"routing", "storage", "multicast", "mail"})
  void everyExperimentHasTheSameRunOptions(String experiment) {
    CommandLine.Model.CommandSpec spec =
        SimulatorMain.commandLine(PastryRing::create)
            .getSubcommands()
            .get(experiment)
            .getCommandSpec();
    for (String option :
        List.of("--out", "--force", "--progress", "--quiet", "--verbose", "--seed")) {
      assertTrue(spec.findOption(option) != null, experiment + " has " + option);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"routing", "storage", "multicast", "mail"})
  void helpIsWrappedAtWordsNotCutMidSentence(String experiment) {
    assertEquals(0, run(List.of("help", experiment)));
    String help = out.toString();
    String flowed = String.join(" ", help.lines().map(String::strip).toList());
    for (String paragraph :
        SimulatorMain.commandLine(PastryRing::create)
            .getSubcommands()
            .get(experiment)
            .getCommandSpec()
            .usageMessage()
            .description()) {
      assertTrue(flowed.contains(paragraph), "not cut mid-word: " + paragraph + "\n" + help);
    }
    for (String line : help.lines().toList()) {
      assertTrue(line.length() <= SimulatorMain.HELP_WIDTH, "line too long: " + line);
    }
  }

  @Test
  void versionIsTheProjectVersion() {
    assertEquals(0, run(List.of("-V")));
    assertFalse(out.toString().contains("unknown"), out.toString());
    assertTrue(out.toString().matches("(?s)ePOST simulator \\d+\\.\\d+.*"), out.toString());
  }
}
