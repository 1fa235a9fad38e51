package org.epost.simulator.pastry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.epost.simulator.api.ProgressListener;
import org.epost.simulator.api.RoutingExperimentConfig;
import org.epost.simulator.api.RoutingSummary;
import org.epost.simulator.cli.SimulatorMain;
import org.epost.simulator.routing.RoutingExperiment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The routing experiment over real Pastry nodes on the overlay's simulation. */
class PastryRingTest {

  @TempDir Path tmp;

  @Test
  void idsSurviveTheConversionBothWays() {
    SplittableRandom rnd = new SplittableRandom(1);
    BigInteger max = BigInteger.ONE.shiftLeft(160).subtract(BigInteger.ONE);
    for (BigInteger v :
        new BigInteger[] {
          BigInteger.ZERO, BigInteger.ONE, max, max.shiftRight(1).add(BigInteger.ONE)
        }) {
      assertEquals(v, PastryRing.toBigInteger(PastryRing.toId(v)));
    }
    for (int i = 0; i < 1000; i++) {
      BigInteger v = new BigInteger(160, new java.util.Random(rnd.nextLong()));
      assertEquals(v, PastryRing.toBigInteger(PastryRing.toId(v)));
    }
  }

  @Test
  void quietRingOfFiftyDeliversEveryLookupToTheClosestNode() throws IOException {
    Path dir = tmp.resolve("quiet");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SimulatorMain.commandLine(PastryRing::create);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code =
        cli.execute(
            "routing",
            "--nodes",
            "50",
            "--settle",
            "1m",
            "--duration",
            "3m",
            "--lookups-per-second",
            "10",
            "--seed",
            "21",
            "--progress",
            "none",
            "--out",
            dir.toString());
    assertEquals(0, code, err.toString());
    Map<String, String> f = org.epost.simulator.cli.SummaryFields.read(dir.resolve("summary.json"));
    long lookups = Long.parseLong(f.get("lookups"));
    assertTrue(lookups > 1500, "about 1800 lookups in 3 minutes at 10/s: " + lookups);
    assertEquals(String.valueOf(lookups), f.get("delivered"));
    assertEquals("0", f.get("lost"));
    assertEquals("0", f.get("wrong_root"));
    assertEquals("50", f.get("live_nodes_end"));
    assertEquals("0", f.get("ring_build_unjoined"));
    double hops = Double.parseDouble(f.get("hops_avg"));
    assertTrue(hops > 0.5 && hops < 3, "50 nodes: log16(50) ~ 1.4 hops, got " + hops);
    double rdp = Double.parseDouble(f.get("rdp_ratio_of_means"));
    assertTrue(rdp >= 1.0, "a route is never shorter than the direct path on a sphere: " + rdp);
    assertTrue(
        Double.parseDouble(f.get("control_msgs_per_node_per_s")) > 0,
        "heartbeats are control traffic");
    assertTrue(Files.size(dir.resolve("hops-histogram.png")) > 1000);
  }

  @Test
  void churnKeepsTheRingSizeAndEveryLookupIsAccountedFor() {
    RoutingExperimentConfig c =
        new RoutingExperimentConfig(
            60,
            Optional.of(Duration.ofMinutes(5)),
            Duration.ofMinutes(1),
            Duration.ofMinutes(4),
            20,
            8,
            Duration.ofMillis(50),
            Duration.ofSeconds(30));
    RoutingSummary a =
        new RoutingExperiment(PastryRing.create(8), c, ProgressListener.NONE, () -> 0, 0).run();
    assertTrue(a.failures() > 20, "60 nodes, 5 min sessions, ~5.5 min of churn: " + a.failures());
    assertEquals(a.lookups(), a.delivered() + a.lost());
    assertTrue(a.liveNodesEnd() > 50 && a.liveNodesEnd() <= 60, "live " + a.liveNodesEnd());
    RoutingSummary b =
        new RoutingExperiment(PastryRing.create(8), c, ProgressListener.NONE, () -> 0, 0).run();
    Map<String, Object> fa = a.toFields();
    Map<String, Object> fb = b.toFields();
    RoutingSummary.WALL_CLOCK_FIELDS.forEach(
        k -> {
          fa.remove(k);
          fb.remove(k);
        });
    assertEquals(fa, fb, "same seed, same run");
  }

  /**
   * Heap per live node must not grow with departed nodes: after a churned run that replaced the
   * ring several times, the ring adapter and the overlay's simulation hold per-node state for live
   * nodes only (the experiment's own bookkeeping follows the ring: live_nodes_end).
   */
  @Test
  void afterChurnOnlyLiveNodesAreHeld() {
    RoutingExperimentConfig c =
        new RoutingExperimentConfig(
            40,
            Optional.of(Duration.ofSeconds(30)),
            Duration.ofMinutes(1),
            Duration.ofMinutes(2),
            10,
            4,
            Duration.ofMillis(50),
            Duration.ofSeconds(30));
    PastryRing ring = (PastryRing) PastryRing.create(4);
    RoutingSummary s = new RoutingExperiment(ring, c, ProgressListener.NONE, () -> 0, 0).run();
    assertTrue(s.failures() > 4 * 40, "40 nodes, 30 s sessions, 3.5 min of churn: " + s.failures());
    int live = ring.simulation().liveNodes().size();
    assertEquals(live, ring.heldMembers(), "the adapter holds live nodes only");
    assertTrue(ring.joiningAreMembers(), "no departed node is left in the joining list");
    assertEquals(live, ring.simulation().trackedNodes(), "the simulation holds live nodes only");
    assertTrue(s.liveNodesEnd() <= live, "members " + s.liveNodesEnd() + " of " + live + " live");
  }
}
