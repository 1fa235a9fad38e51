package org.epost.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.epost.simulator.api.RoutingSummary;
import org.epost.simulator.testing.IdealRing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line end to end, over the ideal-ring fixture: options, exit codes, output files. */
class RoutingCommandTest {

  @TempDir Path tmp;

  private int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cli = SimulatorMain.commandLine(seed -> new IdealRing());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void writesSummaryCsvAndPlots() throws IOException {
    Path dir = tmp.resolve("run");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        run(
            out,
            err,
            "routing",
            "--nodes",
            "30",
            "--settle",
            "30s",
            "--duration",
            "3m",
            "--seed",
            "3",
            "--progress",
            "none",
            "--out",
            dir.toString());
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("nodes=30"), out.toString());
    // The speed line a re-run on an idle machine reads: build wall and CPU, steady speed per wall
    // and CPU second.
    assertTrue(
        out.toString()
            .matches(
                "(?s).*speed: ring_build_wall_seconds=[0-9.]+ ring_build_cpu_seconds=[0-9.]+ "
                    + "steady_sim_seconds_per_wall_second=[0-9.]+ steady_sim_seconds_per_cpu_second=[0-9.]+ heap_bytes_per_node=.*"),
        out.toString());
    Map<String, String> summary = topLevelFields(dir.resolve("summary.json"));
    for (String field :
        List.of(
            "nodes",
            "seed",
            "lookups",
            "lost",
            "wrong_root",
            "hops_avg",
            "rdp_median",
            "rdp_ratio_of_means",
            "control_msgs_per_node_per_s",
            "bytes_per_node_per_s",
            "ring_build_wall_seconds",
            "wall_seconds",
            "sim_seconds",
            "heap_bytes_per_node",
            "loss_rate",
            "wrong_root_rate")) {
      assertTrue(summary.containsKey(field), "summary.json has " + field);
    }
    assertEquals("30", summary.get("nodes"));
    assertEquals("3", summary.get("seed"));
    assertEquals("0", summary.get("lost"));
    List<String> csv = Files.readAllLines(dir.resolve("timeseries.csv"));
    assertEquals(
        "minute,lookups,lost,wrong_root,hops_avg,rdp_ratio_of_means,control_msgs,live_nodes",
        csv.get(0));
    assertEquals(4, csv.size(), "header and three minutes");
    long csvLookups = csv.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[1])).sum();
    assertEquals(Long.parseLong(summary.get("lookups")), csvLookups);
    assertEquals("30", csv.get(3).split(",")[7]);
    assertTrue(Files.readAllLines(dir.resolve("hops-histogram.csv")).get(0).equals("hops,lookups"));
    byte[] pngMagic = {(byte) 0x89, 'P', 'N', 'G'};
    for (String png : List.of("hops-over-time.png", "loss-over-time.png", "hops-histogram.png")) {
      byte[] bytes = Files.readAllBytes(dir.resolve(png));
      assertTrue(bytes.length > 1000, png + " has content");
      assertArrayEquals(pngMagic, Arrays.copyOf(bytes, 4), png + " is a PNG");
    }
  }

  @Test
  void sameSeedSameSummaryExceptWallClockFields() throws IOException {
    String[] common = {
      "routing",
      "--nodes",
      "25",
      "--session-mean",
      "3m",
      "--settle",
      "30s",
      "--duration",
      "2m",
      "--lookups-per-second",
      "20",
      "--seed",
      "17",
      "--progress",
      "none",
      "--out"
    };
    Map<String, String> a = summaryOf(common, "a");
    Map<String, String> b = summaryOf(common, "b");
    RoutingSummary.WALL_CLOCK_FIELDS.forEach(
        f -> {
          a.remove(f);
          b.remove(f);
        });
    assertEquals(a, b);
    assertNotEquals("0", a.get("failures"), "churn happened");
  }

  @Test
  void badOptionsGiveAUsageErrorAndNoOutput() {
    StringWriter err = new StringWriter();
    Path dir = tmp.resolve("never");
    assertEquals(
        2,
        run(
            new StringWriter(),
            err,
            "routing",
            "--duration",
            "15 minutes",
            "--out",
            dir.toString()));
    assertTrue(err.toString().contains("is not a duration"), err.toString());
    err = new StringWriter();
    assertEquals(
        2, run(new StringWriter(), err, "routing", "--nodes", "0", "--out", dir.toString()));
    assertTrue(err.toString().contains("--nodes must be between"), err.toString());
    assertTrue(Files.notExists(dir));
    assertEquals(2, run(new StringWriter(), new StringWriter()));
  }

  private Map<String, String> summaryOf(String[] common, String name) throws IOException {
    String[] args = Arrays.copyOf(common, common.length + 1);
    args[common.length] = tmp.resolve(name).toString();
    StringWriter err = new StringWriter();
    assertEquals(0, run(new StringWriter(), err, args), err.toString());
    return topLevelFields(tmp.resolve(name).resolve("summary.json"));
  }

  static Map<String, String> topLevelFields(Path json) throws IOException {
    return SummaryFields.read(json);
  }
}
