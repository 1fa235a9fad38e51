package org.epost.mail.daemon;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BENCHMARK FIXTURE (not a test): holds a ring of {@code epost run} processes up for load drivers
 * and measurements that run outside it (shell scripts under {@code epost/bench/}). The ring is the
 * operator's node, {@code NODES - 3} storers, alice and bob, as {@link DeliveryLatencyBench} starts
 * it. When every daemon runs, it writes {@code DIR/ring.env} (shell variables: {@code ALICE_SMTP},
 * {@code ALICE_IMAP}, {@code ALICE_ADDRESS}, {@code ALICE_PASSWORD}, {@code ALICE_PID}, the same
 * for BOB, and {@code PIDS}), prints {@code RING READY}, and keeps the ring up until its standard
 * input ends; then it SIGKILLs the daemons (their files stay in DIR).
 *
 * <pre>
 * java -cp epost/target/epost.jar:epost/target/test-classes org.epost.mail.daemon.BenchRing \
 *     DIR NODES [--jvm NAME=OPTIONS] [--quota SIZE] [--netns PREFIX]
 * </pre>
 *
 * <ul>
 *   <li>{@code --jvm "alice=-Xmx256m -XX:StartFlightRecording=..."}: that member's JVM options,
 *       space-separated (default {@code -Xmx256m}); {@code --jvm '*=...'} for every member.
 *   <li>{@code --quota 2g}: the disk every node lends the ring (default 256m, as in the tests).
 *   <li>{@code --netns PREFIX}: member {@code i} (operator 0, storers, alice, bob) runs in the
 *       network namespace {@code PREFIX-n<i>} of {@code testbed/netns-ring.sh up} with its node on
 *       the namespace's address 10.77.0.{@code i+1}, port 7600, and IMAP/SMTP on 127.0.0.1:1143 and
 *       :1587 inside the namespace.
 * </ul>
 */
public final class BenchRing {
  private BenchRing() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]).toAbsolutePath();
    int nodes = Integer.parseInt(args[1]);
    Map<String, List<String>> jvm = new LinkedHashMap<>();
    String netns = null;
    Map<DaemonConfig.Key, String> extra = new LinkedHashMap<>();
    for (int i = 2; i < args.length; i++) {
      if (args[i].equals("--jvm")) {
        String[] kv = args[++i].split("=", 2);
        jvm.put(kv[0], Arrays.asList(kv[1].trim().split(" +")));
      } else if (args[i].equals("--quota")) {
        extra.put(DaemonConfig.Key.NODE_QUOTA, args[++i]);
      } else if (args[i].equals("--netns")) {
        netns = args[++i];
      } else {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (nodes < 3) {
      throw new IllegalArgumentException("at least 3 nodes: the operator's, alice's, bob's");
    }
    ProcessRing.deleteTree(dir);
    long t0 = System.nanoTime();
    ProcessRing ring =
        netns == null
            ? ProcessRing.create(dir, "ring.test")
            : ProcessRing.create(dir, "ring.test", address(0), 7600);
    ring.keepFiles = true;
    try (ring) {
      List<String> names = new ArrayList<>();
      for (int i = 1; i <= nodes - 3; i++) {
        names.add("storer" + i);
      }
      names.add("alice");
      names.add("bob");
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        boolean account = n.equals("alice") || n.equals("bob");
        if (netns == null) {
          ring.member(n, account, extra);
        } else {
          ring.member(n, account, address(i + 1), 7600, 1143, 1587, extra);
        }
      }
      int index = 0;
      for (ProcessRing.Member m : ring.members()) {
        List<String> opts = jvm.getOrDefault(m.name, jvm.get("*"));
        if (opts != null) {
          m.jvmOptions = opts;
        }
        if (netns != null) {
          m.launcher = List.of("ip", "netns", "exec", netns + "-n" + index);
        }
        index++;
      }
      ring.startAll();
      StringBuilder env = new StringBuilder();
      StringBuilder pids = new StringBuilder();
      for (ProcessRing.Member m : ring.members()) {
        pids.append(pids.length() == 0 ? "" : " ").append(m.process.process.pid());
        if (m.address == null) {
          continue;
        }
        String v = m.name.toUpperCase(Locale.ROOT);
        env.append(v + "_SMTP=" + m.smtpPort + "\n")
            .append(v + "_IMAP=" + m.imapPort + "\n")
            .append(v + "_ADDRESS=" + m.address + "\n")
            .append(v + "_PASSWORD='" + m.password + "'\n")
            .append(v + "_PID=" + m.process.process.pid() + "\n")
            .append(v + "_DATA=" + m.data + "\n");
      }
      env.append("PIDS='" + pids + "'\n");
      Files.writeString(dir.resolve("ring.env"), env, StandardCharsets.UTF_8);
      System.out.printf(
          Locale.ROOT,
          "RING READY: %d epost run processes in %.1f s%n",
          nodes,
          (System.nanoTime() - t0) / 1e9);
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // hold the ring until standard input ends
      }
    }
  }

  private static String address(int i) {
    return "10.77." + (i / 250) + "." + (i % 250 + 1);
  }
}
