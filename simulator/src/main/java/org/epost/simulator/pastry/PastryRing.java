package org.epost.simulator.pastry;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.RoutedMessage;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.overlay.sim.TrafficCounters;
import org.epost.simulator.api.RingListener;
import org.epost.simulator.api.SimulatedRing;
import org.epost.simulator.api.TrafficTotals;

/**
 * A {@link SimulatedRing} made of real Pastry nodes from the overlay module, on its discrete-event
 * {@link Simulation} with the default latency model (nodes on a sphere, mean one-way delay 100 ms).
 * Lookups are messages of a small lookup application registered on every node; their payload is a
 * version byte and the lookup id.
 *
 * <p>Threading: the simulation's single thread, as {@link SimulatedRing} says.
 */
public final class PastryRing implements SimulatedRing {

  /** Application id of the lookup workload. */
  static final int LOOKUP_APP = 100;

  static final String LOOKUP_TYPE = "LOOKUP";
  private static final byte PAYLOAD_VERSION = 1;
  private static final int PAYLOAD_BYTES = 1 + Long.BYTES;

  private record Member(SimulatedNode node, AppEndpoint lookups) {}

  private final Simulation sim;
  private final Map<BigInteger, Member> live = new HashMap<>();

  /** Nodes whose join has not completed yet, in start order. */
  private final Map<BigInteger, SimulatedNode> joining = new LinkedHashMap<>();

  private RingListener listener;

  PastryRing(Simulation sim) {
    this.sim = sim;
  }

  /** A ring on a fresh simulation with the overlay's default configuration and latency model. */
  public static SimulatedRing create(long seed) {
    return new PastryRing(Simulation.builder().seed(seed).build());
  }

  @Override
  public long nowMicros() {
    return sim.nowMicros();
  }

  @Override
  public void runUntil(long timeMicros) {
    if (timeMicros < sim.nowMicros()) {
      throw new IllegalArgumentException(
          "virtual time goes forward only: " + timeMicros + " < " + sim.nowMicros());
    }
    sim.runUntilMicros(timeMicros);
    announceJoins();
  }

  @Override
  public long eventsProcessed() {
    return sim.eventsRun();
  }

  @Override
  public BigInteger startNode(BigInteger id, List<BigInteger> bootstraps) {
    if (live.containsKey(id)) {
      throw new IllegalArgumentException("a node with id " + id.toString(16) + " exists already");
    }
    SimulatedNode node;
    if (bootstraps.isEmpty()) {
      node = sim.createRing(toId(id));
    } else {
      List<Address> addresses = new ArrayList<>(bootstraps.size());
      for (BigInteger b : bootstraps) {
        Member m = live.get(b);
        if (m != null) {
          addresses.add(m.node.address());
        }
      }
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException("no bootstrap is a live node");
      }
      node = sim.addNode(toId(id), addresses);
    }
    BigInteger self = id;
    AppEndpoint endpoint =
        node.overlay()
            .register(
                LOOKUP_APP,
                new OverlayApplication() {
                  @Override
                  public void deliver(RoutedMessage message) {
                    if (message.key() != null && message.payloadLength() == PAYLOAD_BYTES) {
                      ByteBuffer in = ByteBuffer.wrap(message.payload());
                      if (in.get() == PAYLOAD_VERSION) {
                        listener.delivered(in.getLong(), self, message.hops());
                      }
                    }
                  }
                });
    live.put(id, new Member(node, endpoint));
    joining.put(id, node); // announced from runUntil, even if ready at once (the first node)
    return id;
  }

  @Override
  public BigInteger closestReadyNode(BigInteger key) {
    SimulatedNode n = sim.closestLiveNode(toId(key), true);
    return n == null ? null : toBigInteger(n.id());
  }

  @Override
  public BigInteger closestLiveNode(BigInteger key) {
    SimulatedNode n = sim.closestLiveNode(toId(key), false);
    return n == null ? null : toBigInteger(n.id());
  }

  @Override
  public void failNode(BigInteger id) {
    Member m = live.remove(id);
    if (m == null) {
      throw new IllegalArgumentException("no live node has id " + id.toString(16));
    }
    joining.remove(id);
    sim.fail(m.node); // and forget it: nothing of a departed node stays reachable from here
  }

  @Override
  public void route(BigInteger source, BigInteger key, long lookupId) {
    Member m = live.get(source);
    if (m == null) {
      throw new IllegalArgumentException("no live node has id " + source.toString(16));
    }
    byte[] payload =
        ByteBuffer.allocate(PAYLOAD_BYTES).put(PAYLOAD_VERSION).putLong(lookupId).array();
    m.lookups.route(toId(key), payload, null);
  }

  @Override
  public long directLatencyMicros(BigInteger a, BigInteger b) {
    Member from = live.get(a);
    Member to = live.get(b);
    return from == null || to == null ? -1 : sim.delayMicros(from.node, to.node);
  }

  @Override
  public TrafficTotals traffic() {
    TrafficCounters t = sim.traffic();
    Map<String, Long> messages = new HashMap<>(t.messagesByType());
    Map<String, Long> bytes = new HashMap<>(t.bytesByType());
    // Lookups are the lookup application's own frames (every hop); everything else, their per-hop
    // ACKs and RECEIPTs included, is control traffic (ADR 0051: "all messages that are not
    // lookups"). The lookup frames are taken out of the ROUTE count, which keeps any other
    // application's routed frames (none in this ring) on the control side.
    long lookupMessages = t.applicationMessages(LOOKUP_APP);
    long lookupBytes = t.applicationBytes(LOOKUP_APP);
    subtract(messages, "ROUTE", lookupMessages);
    subtract(bytes, "ROUTE", lookupBytes);
    messages.put(LOOKUP_TYPE, lookupMessages);
    bytes.put(LOOKUP_TYPE, lookupBytes);
    return new TrafficTotals(messages, bytes, LOOKUP_TYPE);
  }

  private static void subtract(Map<String, Long> counts, String type, long amount) {
    long left = counts.getOrDefault(type, 0L) - amount;
    if (left > 0) {
      counts.put(type, left);
    } else {
      counts.remove(type);
    }
  }

  /** Nodes this ring keeps a member entry for (live ones only; for tests). */
  int heldMembers() {
    return live.size();
  }

  /** Nodes still in the joining list; each must also be a live member (for tests). */
  boolean joiningAreMembers() {
    return live.keySet().containsAll(joining.keySet());
  }

  Simulation simulation() {
    return sim;
  }

  @Override
  public void setListener(RingListener listener) {
    this.listener = listener;
  }

  private void announceJoins() {
    if (joining.isEmpty()) {
      return;
    }
    Iterator<Map.Entry<BigInteger, SimulatedNode>> it = joining.entrySet().iterator();
    List<BigInteger> ready = new ArrayList<>();
    while (it.hasNext()) {
      Map.Entry<BigInteger, SimulatedNode> e = it.next();
      if (e.getValue().isReady()) {
        it.remove();
        ready.add(e.getKey());
      }
    }
    ready.forEach(listener::joined);
  }

  static Id toId(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[Id.BYTES];
    int copy = Math.min(raw.length, Id.BYTES);
    System.arraycopy(raw, raw.length - copy, out, Id.BYTES - copy, copy);
    return Id.fromBytes(out);
  }

  static BigInteger toBigInteger(Id id) {
    return new BigInteger(1, id.toBytes());
  }
}
