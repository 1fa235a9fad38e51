package org.epost.simulator.multicast;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.epost.simulator.cli.SimulatorMain;
import org.epost.simulator.pastry.PastryRing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code simulator multicast} end to end on real Pastry and Scribe nodes: options, outputs,
 * figures.
 */
class MulticastCommandTest {
  @TempDir Path tmp;

  private int run(StringWriter out, StringWriter err, String... args) {
    var cli = SimulatorMain.commandLine(PastryRing::create);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private String[] args(Path dir, String seed, String... extra) {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "multicast",
                "--nodes",
                "60",
                "--topics",
                "6",
                "--subscribers",
                "5",
                "--publish-per-second",
                "2",
                "--settle",
                "10s",
                "--duration",
                "90s",
                "--deadline",
                "20s",
                "--seed",
                seed,
                "--quiet",
                "--out",
                dir.toString()));
    a.addAll(Arrays.asList(extra));
    return a.toArray(new String[0]);
  }

  static Map<String, String> fields(Path json) throws IOException {
    Map<String, String> m = new HashMap<>();
    Matcher x =
        Pattern.compile("\"([a-z_]+)\": (\"[^\"]*\"|[^,\\n]+)").matcher(Files.readString(json));
    while (x.find()) {
      m.put(x.group(1), x.group(2));
    }
    return m;
  }

  @Test
  void aQuietRingDeliversEveryPublicationAndWritesEveryOutput() throws IOException {
    Path dir = tmp.resolve("quiet");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, run(out, err, args(dir, "4")), err.toString());
    Map<String, String> f = fields(dir.resolve("summary.json"));
    for (String k :
        List.of(
            "delivery_ratio",
            "delay_penalty_avg",
            "link_stress_avg",
            "link_stress_max",
            "tree_depth_avg",
            "publications",
            "expected_deliveries",
            "deliveries",
            "delay_penalty_from_publisher_avg")) {
      assertTrue(f.containsKey(k), "summary.json has " + k);
    }
    long pubs = Long.parseLong(f.get("publications"));
    assertTrue(pubs > 100, "about 180 publications expected, got " + pubs);
    assertEquals(
        f.get("expected_deliveries"), f.get("deliveries"), "a quiet ring delivers everything");
    assertEquals(
        pubs * 5,
        Long.parseLong(f.get("expected_deliveries")),
        "every subscriber attached and expected");
    assertEquals("1.0", f.get("delivery_ratio"));
    assertEquals("0", f.get("duplicate_deliveries"));
    double penalty = Double.parseDouble(f.get("delay_penalty_avg"));
    assertTrue(penalty >= 1.0 && penalty < 3.0, "delay penalty " + penalty);
    assertTrue(Double.parseDouble(f.get("link_stress_avg")) >= 1.0);
    assertTrue(out.toString().contains("delivery_ratio=1.00000"), out.toString());
    List<String> csv = Files.readAllLines(dir.resolve("timeseries.csv"));
    assertTrue(csv.get(0).startsWith("minute,publications,expected,delivered,delivery_ratio"));
    long csvPubs = csv.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[1])).sum();
    assertEquals(pubs, csvPubs);
    assertEquals("depth,deliveries", Files.readAllLines(dir.resolve("depth-histogram.csv")).get(0));
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    for (String p : List.of("delivery-over-time.png", "depth-histogram.png")) {
      assertArrayEquals(png, Arrays.copyOf(Files.readAllBytes(dir.resolve(p)), 4), p);
    }
  }

  @Test
  void theSameSeedGivesTheSameRunAndChurnIsCounted() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Path c = tmp.resolve("c");
    StringWriter err = new StringWriter();
    assertEquals(
        0, run(new StringWriter(), err, args(a, "9", "--session-mean", "3m")), err.toString());
    assertEquals(
        0, run(new StringWriter(), err, args(b, "9", "--session-mean", "3m")), err.toString());
    assertEquals(
        0, run(new StringWriter(), err, args(c, "10", "--session-mean", "3m")), err.toString());
    Map<String, String> fa = fields(a.resolve("summary.json"));
    Map<String, String> fb = fields(b.resolve("summary.json"));
    fa.remove("wall_seconds");
    fb.remove("wall_seconds");
    assertEquals(fa, fb);
    assertTrue(Long.parseLong(fa.get("failures")) > 10, "churn fails nodes: " + fa.get("failures"));
    assertNotEquals(
        fa.get("publications") + fa.get("deliveries"),
        fields(c.resolve("summary.json")).get("publications")
            + fields(c.resolve("summary.json")).get("deliveries"));
    double ratio = Double.parseDouble(fa.get("delivery_ratio"));
    assertTrue(ratio > 0.95 && ratio <= 1.0, "delivery under heavy churn " + ratio);
  }

  @Test
  void badOptionsAreRefusedWithAClearMessage() {
    StringWriter err = new StringWriter();
    int code =
        run(
            new StringWriter(),
            err,
            "multicast",
            "--nodes",
            "10",
            "--subscribers",
            "10",
            "--out",
            tmp.resolve("x").toString());
    assertEquals(2, code);
    assertTrue(err.toString().contains("--subscribers must be in 1..9"), err.toString());
  }
}
