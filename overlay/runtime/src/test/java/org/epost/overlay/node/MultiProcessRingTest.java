package org.epost.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * land on the numerically closest live node; a second process on a node's data directory is
 * refused; 1,000 files (some in chunks) are stored with {@code put}; a subscriber process watches a
 * topic rooted at a node about to die while a publisher process publishes numbered lines; two nodes
 * are killed with SIGKILL; within 60 s every survivor's leaf set holds exactly the live nodes and
 * routing is correct again; every file is fetched with {@code get} from the survivors and is
 * identical; the subscriber received every numbered publication. Runs each node in its own network
 * namespace through {@code testbed/netns-ring.sh} when that works (root), on loopback otherwise,
 * and says which. {@code -Depost.testbed.delay=MIN-MAX} adds per-pair link delays in the namespaces
 * (not in the default run, which stays short).
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
    testbed = findTestbed();
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
    secondProcessOnADataDirectoryIsRefused();

    long t0 = System.nanoTime();
    Map<String, byte[]> stored = putFiles(new Random(4));
    System.out.printf(
        "stored %d files with put through 8 nodes in %.1f s%n",
        stored.size(), (System.nanoTime() - t0) / 1e9);

    String topic = topicRootedAt(ids.get(3));
    Process subscriber = subscribe(5, topic);
    Process publisher = publisher(1, topic);
    Writer pub = new OutputStreamWriter(publisher.getOutputStream(), StandardCharsets.UTF_8);
    int seq = 0;
    for (; seq < 10; seq++) {
      publish(pub, seq);
    }
    assertEquals(
        Set.of(),
        awaitPublications(10, 30),
        "publications made before the kill reach the subscriber");

    processes.get(3).destroyForcibly(); // SIGKILL on Linux; node 3 is the topic's root
    processes.get(6).destroyForcibly();
    processes.get(3).waitFor();
    processes.get(6).waitFor();
    live.remove(3);
    live.remove(6);
    long killed = System.nanoTime();
    CompletableFuture<Void> publishing =
        CompletableFuture.runAsync(
            () -> {
              try {
                for (int n = 10; n < PUBLICATIONS; n++) {
                  publish(pub, n);
                  Thread.sleep(150);
                }
                pub.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    awaitLeafSets(live, 60);
    long repairSeconds = (System.nanoTime() - killed) / 1_000_000_000L;
    System.out.println("leaf sets repaired " + repairSeconds + " s after SIGKILL of two nodes");
    routeAndCheck(live, 100, new Random(2));
    publishing.get(120, TimeUnit.SECONDS);
    assertTrue(publisher.waitFor(30, TimeUnit.SECONDS), "the publisher finished");
    assertEquals(0, publisher.exitValue(), "every publish was accepted: " + errOf("publisher"));

    t0 = System.nanoTime();
    getAndVerify(live, stored);
    System.out.printf(
        "fetched and verified %d files through %d survivors in %.1f s%n",
        stored.size(), live.size(), (System.nanoTime() - t0) / 1e9);

    Set<Integer> missing = awaitPublications(PUBLICATIONS, 30);
    subscriber.destroy();
    assertTrue(
        missing.isEmpty(),
        "the subscriber missed publications "
            + missing
            + " of 0.."
            + (PUBLICATIONS - 1)
            + " (published while the topic's root was killed and the tree repaired)");
    System.out.println(
        "the subscriber received all "
            + PUBLICATIONS
            + " publications made while the topic's root was killed and the tree repaired");
  }

  static final int FILES = 1_000;
  static final int LARGE_FILES = 10;
  static final int PUBLICATIONS = 120;
  private final List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A second node process on node 0's data directory exits with code 2 and one line. */
  private void secondProcessOnADataDirectoryIsRefused() throws Exception {
    List<String> cmd = new ArrayList<>(prefix(0));
    cmd.addAll(java());
    cmd.addAll(List.of("run", "--listen", addrs.get(0), "--data", tmp.resolve("n0").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("EPOST_NODE_REGISTRY", tmp.resolve("registry").toString());
    pb.environment().put("EPOST_TESTBED_PREFIX", testbedPrefix);
    Process p = pb.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(2, p.waitFor(), err);
    assertTrue(
        err.matches(
            "error: data directory .*n0 is in use by process \\d+ \\(lock file .*lock\\); stop it first"),
        err);
  }

  /**
   * Writes {@link #FILES} files (4.7 KB-ish, and {@link #LARGE_FILES} of 200 KB stored in chunks)
   * and stores them with one {@code put} process per node at once; returns id to content.
   */
  private Map<String, byte[]> putFiles(Random r) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("files"));
    List<List<String>> perNode = new ArrayList<>();
    List<List<byte[]>> contents = new ArrayList<>();
    for (int n = 0; n < NODES; n++) {
      perNode.add(new ArrayList<>(List.of("put", "--parallel", "4", "--via", addrs.get(n))));
      contents.add(new ArrayList<>());
    }
    for (int f = 0; f < FILES; f++) {
      byte[] b = new byte[f < LARGE_FILES ? 200_000 : 1_000 + r.nextInt(7_400)];
      r.nextBytes(b);
      Path file = dir.resolve("f" + f);
      Files.write(file, b);
      perNode.get(f % NODES).add(file.toString());
      contents.get(f % NODES).add(b);
    }
    List<CompletableFuture<List<String>>> runs = new ArrayList<>();
    for (int n = 0; n < NODES; n++) {
      int node = n;
      runs.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return cli(node, perNode.get(node));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    Map<String, byte[]> stored = new HashMap<>();
    for (int n = 0; n < NODES; n++) {
      List<String> lines = runs.get(n).get(180, TimeUnit.SECONDS);
      assertEquals(contents.get(n).size(), lines.size(), "one id per file from node " + n);
      for (int k = 0; k < lines.size(); k++) {
        String id = lines.get(k);
        assertTrue(id.matches("[0-9a-f]{40}"), "node " + n + " printed " + id);
        byte[] b = contents.get(n).get(k);
        if (b.length <= org.epost.overlay.past.api.PastObject.MAX_BYTES) {
          assertEquals(
              org.epost.overlay.past.api.PastObject.contentId(b).toHex(),
              id,
              "a small file's id is its content hash");
        }
        stored.put(id, b);
      }
    }
    assertEquals(FILES, stored.size());
    return stored;
  }

  /** Fetches every stored id with one {@code get} process per live node and compares bytes. */
  private void getAndVerify(Set<Integer> live, Map<String, byte[]> stored) throws Exception {
    List<Integer> from = new ArrayList<>(live);
    List<List<String>> perNode = new ArrayList<>();
    List<Path> outDirs = new ArrayList<>();
    for (int n = 0; n < from.size(); n++) {
      Path out = Files.createDirectories(tmp.resolve("got" + n));
      outDirs.add(out);
      perNode.add(
          new ArrayList<>(
              List.of(
                  "get",
                  "--parallel",
                  "4",
                  "--via",
                  addrs.get(from.get(n)),
                  "--out-dir",
                  out.toString())));
    }
    int k = 0;
    for (String id : stored.keySet()) {
      perNode.get(k++ % from.size()).add(id);
    }
    List<CompletableFuture<Integer>> runs = new ArrayList<>();
    for (int n = 0; n < from.size(); n++) {
      int idx = n;
      runs.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return cliExit(from.get(idx), perNode.get(idx), "get" + idx);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    for (int n = 0; n < from.size(); n++) {
      assertEquals(
          0,
          runs.get(n).get(180, TimeUnit.SECONDS),
          "get through node " + from.get(n) + ": " + errOf("get" + n));
    }
    int verified = 0;
    for (int n = 0; n < from.size(); n++) {
      for (String id : perNode.get(n).subList(7, perNode.get(n).size())) {
        byte[] got = Files.readAllBytes(outDirs.get(n).resolve(id));
        assertTrue(java.util.Arrays.equals(stored.get(id), got), "object " + id + " is identical");
        verified++;
      }
    }
    assertEquals(FILES, verified);
  }

  /** A topic name whose key's closest node is {@code root}. */
  private String topicRootedAt(Id root) {
    for (int k = 0; ; k++) {
      String name = "seq-" + k;
      Id key = org.epost.overlay.scribe.api.TopicId.named(name).id();
      if (ids.stream().min(Id.byClosenessTo(key)).orElseThrow().equals(root)) {
        return name;
      }
    }
  }

  private Process subscribe(int node, String topic) throws Exception {
    List<String> cmd = new ArrayList<>(prefix(node));
    cmd.addAll(java());
    cmd.addAll(List.of("subscribe", "--ready", "--via", addrs.get(node), topic));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectError(tmp.resolve("subscriber.err").toFile());
    pb.environment().put("EPOST_NODE_REGISTRY", tmp.resolve("registry").toString());
    pb.environment().put("EPOST_TESTBED_PREFIX", testbedPrefix);
    Process p = pb.start();
    processes.add(p);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Void> attached = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                String l;
                while ((l = in.readLine()) != null) {
                  if (l.equals("attached")) {
                    attached.complete(null);
                  }
                  received.add(l);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "subscriber-out");
    reader.setDaemon(true);
    reader.start();
    attached.get(60, TimeUnit.SECONDS);
    return p;
  }

  private Process publisher(int node, String topic) throws Exception {
    List<String> cmd = new ArrayList<>(prefix(node));
    cmd.addAll(java());
    cmd.addAll(List.of("publish", "--via", addrs.get(node), topic, "-"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectError(tmp.resolve("publisher.err").toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("EPOST_NODE_REGISTRY", tmp.resolve("registry").toString());
    pb.environment().put("EPOST_TESTBED_PREFIX", testbedPrefix);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private static void publish(Writer pub, int seq) throws IOException {
    pub.write("seq " + seq + "\n");
    pub.flush();
  }

  /** Waits until the subscriber printed "seq 0".."seq n-1"; returns those still missing. */
  private Set<Integer> awaitPublications(int n, int seconds) throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    Set<Integer> missing = new java.util.TreeSet<>();
    while (true) {
      missing.clear();
      for (int i = 0; i < n; i++) {
        missing.add(i);
      }
      for (String l : received) {
        if (l.startsWith("seq ")) {
          missing.remove(Integer.parseInt(l.substring(4)));
        }
      }
      if (missing.isEmpty() || System.nanoTime() > end) {
        return missing;
      }
      Thread.sleep(200);
    }
  }

  private String errOf(String name) {
    try {
      Path f = tmp.resolve(name + ".err");
      return Files.exists(f) ? Files.readString(f).trim() : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  private int cliExit(int node, List<String> args, String name) throws Exception {
    List<String> cmd = new ArrayList<>(prefix(node));
    cmd.addAll(java());
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectError(tmp.resolve(name + ".err").toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("EPOST_NODE_REGISTRY", tmp.resolve("registry").toString());
    pb.environment().put("EPOST_TESTBED_PREFIX", testbedPrefix);
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  /** testbed/netns-ring.sh in the nearest directory above the module that has one. */
  private static Path findTestbed() {
    for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        d != null;
        d = d.getParent()) {
      Path t = d.resolve("testbed").resolve("netns-ring.sh");
      if (Files.exists(t)) {
        return t;
      }
    }
    return Path.of("testbed", "netns-ring.sh");
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
    p.waitFor(180, TimeUnit.SECONDS);
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
