package org.epost.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.api.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight node processes started with the node command: 100 random keys routed from different nodes
 * land on the numerically closest live node; two nodes are killed with SIGKILL; within 60 s every
 * survivor's leaf set holds exactly the live nodes and routing is correct again. Runs each node in
 * its own network namespace through {@code testbed/netns-ring.sh} when that works (root), on
 * loopback otherwise, and says which. {@code -Depost.testbed.delay=MIN-MAX} adds per-pair link
 * delays in the namespaces (not in the default run, which stays short).
 */
class MultiProcessRingTest {
  static final int NODES = 8;
  static final int PORT = 7000;
  @TempDir Path tmp;
  private final List<Process> processes = new ArrayList<>();
  private final List<Id> ids = new ArrayList<>();
  private final List<String> addrs = new ArrayList<>();
  private Path testbed;
  private boolean netns;

  /**
   * Names this run's namespaces: two builds running this test at once (CI, helpers) must not tear
   * down each other's testbed.
   */
  private final String testbedPrefix = "mp" + ProcessHandle.current().pid();

  @Test
  void eightProcessesRouteCorrectly_andRepairAfterTwoAreKilled() throws Exception {
    testbed =
        Path.of(System.getProperty("user.dir")).resolveSibling("testbed").resolve("netns-ring.sh");
    netns = Files.isExecutable(testbed) && run(List.of(testbed.toString(), "check")) == 0;
    System.out.println(
        "multi-process ring: "
            + (netns
                ? "network namespaces "
                    + testbedPrefix
                    + "-n0.. via testbed/netns-ring.sh (10.77.0.x, one per node)"
                : "loopback (not root, or ip netns unavailable)"));
    if (netns) {
      List<String> up = new ArrayList<>(List.of(testbed.toString(), "up", String.valueOf(NODES)));
      String delay = System.getProperty("epost.testbed.delay", "");
      if (!delay.isEmpty()) {
        up.addAll(List.of("--delay", delay)); // e.g. -Depost.testbed.delay=20-60; off by default
        System.out.println("multi-process ring: per-pair one-way delays " + delay + " ms");
      }
      assertEquals(0, run(up));
    }
    for (int i = 0; i < NODES; i++) {
      startNode(i, i == 0 ? null : addrs.get(0));
    }
    Set<Integer> live = new HashSet<>();
    for (int i = 0; i < NODES; i++) {
      live.add(i);
    }
    awaitLeafSets(live, 90);
    routeAndCheck(live, 100, new Random(1));
    timedRoutesReportRoundTrips(live, new Random(3));

    processes.get(3).destroyForcibly(); // SIGKILL on Linux
    processes.get(6).destroyForcibly();
    processes.get(3).waitFor();
    processes.get(6).waitFor();
    live.remove(3);
    live.remove(6);
    long killed = System.nanoTime();
    awaitLeafSets(live, 60);
    long repairSeconds = (System.nanoTime() - killed) / 1_000_000_000L;
    System.out.println("leaf sets repaired " + repairSeconds + " s after SIGKILL of two nodes");
    routeAndCheck(live, 100, new Random(2));
  }

  private void startNode(int i, String bootstrap) throws Exception {
    String host = netns ? "10.77.0." + (i + 1) : "127.0.0.1";
    int port = netns ? PORT : freePort();
    List<String> cmd = new ArrayList<>(prefix(i));
    cmd.addAll(java());
    cmd.addAll(
        List.of("run", "--listen", host + ":" + port, "--data", tmp.resolve("n" + i).toString()));
    if (bootstrap != null) {
      cmd.addAll(List.of("--bootstrap", bootstrap));
    }
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectError(tmp.resolve("n" + i + ".err").toFile());
    pb.environment().put("EPOST_NODE_REGISTRY", tmp.resolve("registry").toString());
    pb.environment().put("EPOST_TESTBED_PREFIX", testbedPrefix);
    Process p = pb.start();
    processes.add(p);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
    CompletableFuture<String> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return out.readLine();
              } catch (IOException e) {
                return null;
              }
            });
    String line;
    try {
      line = ready.get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      line = "nothing within 120 s";
    }
    if (line == null || !line.startsWith("ready ")) {
      fail(
          "node "
              + i
              + " printed '"
              + line
              + "'; stderr: "
              + Files.readString(tmp.resolve("n" + i + ".err")));
    }
    String[] parts = line.split(" ");
    assertEquals(3, parts.length, line);
    assertEquals(host + ":" + port, parts[2]);
    ids.add(Id.fromHex(parts[1]));
    addrs.add(parts[2]);
  }

  /** Polls status until every live node's leaf set is exactly the other live nodes. */
  private void awaitLeafSets(Set<Integer> live, int seconds) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<String> last = List.of();
    while (System.nanoTime() < end) {
      boolean all = true;
      for (int i : live) {
        last = cli(i, List.of("status", "--via", addrs.get(i)));
        Set<Id> leaves = new HashSet<>();
        for (String l : last) {
          if (l.startsWith("leaf ")) {
            leaves.add(Id.fromHex(l.split(" ")[1]));
          }
        }
        Set<Id> expected = new HashSet<>();
        for (int j : live) {
          if (j != i) {
            expected.add(ids.get(j));
          }
        }
        if (!leaves.equals(expected)) {
          all = false;
          break;
        }
      }
      if (all) {
        return;
      }
      Thread.sleep(1000);
    }
    fail("leaf sets not repaired within " + seconds + " s; last status: " + last);
  }

  private void routeAndCheck(Set<Integer> live, int keys, Random r) throws Exception {
    List<Integer> from = new ArrayList<>(live);
    List<List<String>> perNode = new ArrayList<>();
    List<List<Id>> keysPerNode = new ArrayList<>();
    for (int n = 0; n < from.size(); n++) {
      perNode.add(new ArrayList<>(List.of("route", "--via", addrs.get(from.get(n)))));
      keysPerNode.add(new ArrayList<>());
    }
    for (int k = 0; k < keys; k++) {
      Id key = Id.of(r.nextLong(), r.nextLong(), r.nextInt());
      int n = k % from.size();
      perNode.get(n).addAll(List.of("--key", key.toHex()));
      keysPerNode.get(n).add(key);
    }
    List<Id> liveIds = new ArrayList<>();
    live.forEach(i -> liveIds.add(ids.get(i)));
    int checked = 0;
    for (int n = 0; n < from.size(); n++) {
      List<String> lines = cli(from.get(n), perNode.get(n));
      assertEquals(keysPerNode.get(n).size(), lines.size(), "one line per key: " + lines);
      for (int k = 0; k < lines.size(); k++) {
        Id key = keysPerNode.get(n).get(k);
        String line = lines.get(k);
        assertTrue(line.matches("delivered [0-9a-f]{40} hops=\\d+"), line);
        Id expected = liveIds.stream().min(Id.byClosenessTo(key)).orElseThrow();
        assertEquals(expected.toHex(), line.split(" ")[1], "root of " + key.toHex());
        checked++;
      }
    }
    assertEquals(keys, checked);
  }

  /**
   * {@code route --timed} from one node: the same correct root and hop count, plus the round trip
   * of the route and of a direct ping to the root (0 exactly when the root is the asking node).
   */
  private void timedRoutesReportRoundTrips(Set<Integer> live, Random r) throws Exception {
    int from = live.iterator().next();
    List<String> args = new ArrayList<>(List.of("route", "--timed", "--via", addrs.get(from)));
    List<Id> keys = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      keys.add(Id.of(r.nextLong(), r.nextLong(), r.nextInt()));
      args.addAll(List.of("--key", keys.get(k).toHex()));
    }
    keys.add(ids.get(from)); // a key this node is the root of
    args.addAll(List.of("--key", ids.get(from).toHex()));
    List<Id> liveIds = new ArrayList<>();
    live.forEach(i -> liveIds.add(ids.get(i)));
    List<String> lines = cli(from, args);
    assertEquals(keys.size(), lines.size(), "one line per key: " + lines);
    for (int k = 0; k < keys.size(); k++) {
      String line = lines.get(k);
      assertTrue(
          line.matches("delivered [0-9a-f]{40} hops=\\d+ route_us=\\d+ direct_us=\\d+"), line);
      String[] f = line.split(" ");
      Id expected = liveIds.stream().min(Id.byClosenessTo(keys.get(k))).orElseThrow();
      assertEquals(expected.toHex(), f[1], "root of " + keys.get(k).toHex());
      long route = Long.parseLong(f[3].substring("route_us=".length()));
      long direct = Long.parseLong(f[4].substring("direct_us=".length()));
      assertTrue(route > 0, line);
      assertEquals(expected.equals(ids.get(from)), direct == 0, line);
    }
  }

  private List<String> cli(int node, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(prefix(node));
    cmd.addAll(java());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("EPOST_NODE_REGISTRY", tmp.resolve("registry").toString());
    pb.environment().put("EPOST_TESTBED_PREFIX", testbedPrefix);
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
      String l;
      while ((l = in.readLine()) != null) {
        lines.add(l);
      }
    }
    p.waitFor(60, TimeUnit.SECONDS);
    return lines;
  }

  private List<String> prefix(int node) {
    return netns ? List.of(testbed.toString(), "exec", String.valueOf(node)) : List.of();
  }

  private static List<String> java() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx96m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Xshare:auto",
        "-cp",
        System.getProperty("java.class.path"),
        NodeCommand.class.getName());
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private int run(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("EPOST_TESTBED_PREFIX", testbedPrefix);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    if (rc != 0) {
      System.out.println(String.join(" ", cmd) + " -> " + rc + ": " + out.trim());
    }
    return rc;
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (netns) {
      run(List.of(testbed.toString(), "down"));
    }
  }
}
