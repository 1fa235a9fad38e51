package org.epost.post.store;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.TrafficCounters;
import org.epost.post.api.MessageStore;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartReader;
import org.epost.post.api.PartRole;
import org.epost.post.api.StoredMessage;

/**
 * The message store's figures (docs/benchmarks.md, "post-core: message store"): storage overhead of
 * the size mix at k = 5, ten recipients against one, objects of an ordinary 5 KB message, renewal
 * traffic per block, and store/open throughput in the simulation. Test scope; a main, not a timed
 * test. Arguments: NODES MESSAGES (defaults 50 200).
 */
public final class StoreBench {
  private StoreBench() {}

  public static void main(String[] args) {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int messages = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();

    long[] one = SingleCopyCostTest.send(1);
    long[] ten = SingleCopyCostTest.send(10);
    System.out.printf(
        "20 messages of the mix (%d raw bytes), 16 nodes: to 1 recipient %d objects, %d bytes held;"
            + " to 10 recipients %d objects, %d bytes held: %.4f x%n",
        one[2], one[0], one[1], ten[0], ten[1], (double) ten[1] / one[1]);

    StoreRing ring = new StoreRing(7, nodes);
    List<SimulatedNode> all = ring.nodes();
    MessageStore sender = ring.store(all.get(0), ring.owner(all.get(0)), new MemoryLeaseLedger());
    MessageStore reader = ring.store(all.get(1), ring.owner(all.get(1)), new MemoryLeaseLedger());

    // One ordinary 5 KB message.
    long objects0 = ring.heldObjects();
    StoredMessage five =
        ring.await(
            sender.store(
                List.of(
                    PartInput.of(PartRole.HEADER, "", Content.bytes(1, 1_000)),
                    PartInput.of(PartRole.BODY, "1", Content.bytes(2, 4_000)))));
    ring.sim.runFor(600_000);
    System.out.printf(
        "5 KB message: %d blocks, %d stored bytes (one copy), %d objects held ring-wide%n",
        five.blocks(), five.storedBytes(), ring.heldObjects() - objects0);

    // Store the size mix, one message after the other.
    long bytes0 = ring.heldBytes();
    long raw = 0;
    long blocks = 0;
    long[] storeMillis = new long[messages];
    List<StoredMessage> stored = new ArrayList<>();
    long cpu0 = mx.getCurrentThreadCpuTime();
    long wall0 = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      long t0 = ring.sim.nowMillis();
      StoredMessage m = ring.await(sender.store(SizeMix.message(i)));
      storeMillis[i] = ring.sim.nowMillis() - t0;
      stored.add(m);
      raw += m.plainBytes();
      blocks += m.blocks();
      reader.hold(m.ref(), 0);
    }
    double storeWall = (System.nanoTime() - wall0) / 1e9;
    double storeCpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
    ring.sim.runFor(3 * 3_600_000);
    long held = ring.heldBytes() - bytes0;
    System.out.printf(
        "size mix: %d messages, %.1f MB raw, %d blocks, held %.1f MB ring-wide: %.3f x raw%n",
        messages, raw / 1e6, blocks, held / 1e6, (double) held / raw);
    System.out.printf(
        "store: %.1f msg/s wall (%.1f s wall, %.1f s CPU, %.1f MB/s of raw bytes per CPU s);"
            + " simulated latency p50 %d ms, p95 %d ms, max %d ms%n",
        messages / storeWall,
        storeWall,
        storeCpu,
        raw / 1e6 / storeCpu,
        percentile(storeMillis, 50),
        percentile(storeMillis, 95),
        percentile(storeMillis, 100));

    // Open and read every message whole from another node.
    long[] openMillis = new long[messages];
    long[] readMillis = new long[messages];
    cpu0 = mx.getCurrentThreadCpuTime();
    wall0 = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      long t0 = ring.sim.nowMillis();
      OpenedMessage m = ring.await(reader.open(stored.get(i).ref()));
      openMillis[i] = ring.sim.nowMillis() - t0;
      for (PartInfo p : m.parts()) {
        PartReader r = reader.reader(p.ref(), 0, Long.MAX_VALUE);
        while (ring.await(r.next()) != null) {
          // drain
        }
      }
      readMillis[i] = ring.sim.nowMillis() - t0;
    }
    double readWall = (System.nanoTime() - wall0) / 1e9;
    double readCpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
    System.out.printf(
        "open+read: %.1f msg/s wall (%.1f s wall, %.1f s CPU); simulated open p50 %d ms p95 %d"
            + " ms; whole message p50 %d ms p95 %d ms max %d ms%n",
        messages / readWall,
        readWall,
        readCpu,
        percentile(openMillis, 50),
        percentile(openMillis, 95),
        percentile(readMillis, 50),
        percentile(readMillis, 95),
        percentile(readMillis, 100));

    // Renewal: the reader holds every message with an unknown expiry; one sweep renews them all.
    TrafficCounters t0 = ring.sim.traffic().snapshot();
    int renewed = ring.await(reader.sweep());
    TrafficCounters t1 = ring.sim.traffic().snapshot();
    long renewBytes =
        t1.applicationBytes(PastNodes.APPLICATION_ID)
            - t0.applicationBytes(PastNodes.APPLICATION_ID)
            + t1.applicationAckBytes(PastNodes.APPLICATION_ID)
            - t0.applicationAckBytes(PastNodes.APPLICATION_ID);
    long renewedBlocks = reader.statistics().blocksRenewed();
    System.out.printf(
        "renewal: %d messages, %d blocks, %d PAST bytes on the wire ring-wide (all hops, acks,"
            + " message and interior block reads): %.0f B per block; at one renewal per 180 days"
            + " %.0f B per block per year per holder%n",
        renewed,
        renewedBlocks,
        renewBytes,
        (double) renewBytes / renewedBlocks,
        (double) renewBytes / renewedBlocks * 365.0 / 180.0);
  }

  private static long percentile(long[] values, int p) {
    long[] v = values.clone();
    Arrays.sort(v);
    int i = (int) Math.min(v.length - 1, Math.ceil(p / 100.0 * v.length) - 1);
    return v[Math.max(0, i)];
  }
}
