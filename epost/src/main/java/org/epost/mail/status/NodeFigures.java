package org.epost.mail.status;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures in a node's {@code STATUS} lines, parsed: the node line, the leaf set, the routing
 * table's size, the {@code transport}, {@code past}, {@code scribe}, {@code jvm} and {@code epost}
 * key=value lines. Unknown lines are ignored, so a node that adds a line breaks nothing.
 */
final class NodeFigures {
  final String nodeId;
  final String nodeAddress;
  final boolean ready;
  final List<String> leafIds;
  final int routingEntries;
  final Map<String, String> transport;
  final Map<String, String> past;
  final Map<String, String> scribe;
  final Map<String, String> jvm;
  final Map<String, String> daemon;
  final List<String> listeners;

  private NodeFigures(
      String nodeId,
      String nodeAddress,
      boolean ready,
      List<String> leafIds,
      int routingEntries,
      Map<String, String> transport,
      Map<String, String> past,
      Map<String, String> scribe,
      Map<String, String> jvm,
      Map<String, String> daemon,
      List<String> listeners) {
    this.nodeId = nodeId;
    this.nodeAddress = nodeAddress;
    this.ready = ready;
    this.leafIds = leafIds;
    this.routingEntries = routingEntries;
    this.transport = transport;
    this.past = past;
    this.scribe = scribe;
    this.jvm = jvm;
    this.daemon = daemon;
    this.listeners = listeners;
  }

  static NodeFigures parse(List<String> lines) {
    String id = "";
    String address = "";
    boolean ready = false;
    List<String> leaves = new ArrayList<>();
    int routing = 0;
    Map<String, String> transport = new LinkedHashMap<>();
    Map<String, String> past = new LinkedHashMap<>();
    Map<String, String> scribe = new LinkedHashMap<>();
    Map<String, String> jvm = new LinkedHashMap<>();
    Map<String, String> daemon = new LinkedHashMap<>();
    List<String> listeners = new ArrayList<>();
    for (String l : lines) {
      String[] w = l.trim().split("\\s+");
      switch (w[0]) {
        case "node" -> {
          if (w.length >= 4) {
            id = w[1];
            address = w[2];
            ready = w[3].equals("ready=true");
          }
        }
        case "leaf" -> {
          if (w.length >= 2) {
            leaves.add(w[1]);
          }
        }
        case "routing-table" -> routing = w.length >= 2 ? parseInt(w[1]) : 0;
        case "transport" -> pairs(w, 1, transport);
        case "past" -> pairs(w, 1, past);
        case "scribe" -> pairs(w, 1, scribe);
        case "jvm" -> pairs(w, 1, jvm);
        case "epost" -> {
          if (w.length >= 2 && w[1].startsWith("phase=")) {
            pairs(w, 1, daemon);
          } else if (w.length >= 4 && w[1].equals("listener")) {
            listeners.add(w[2] + " " + w[3]);
          }
        }
        default -> {}
      }
    }
    return new NodeFigures(
        id, address, ready, leaves, routing, transport, past, scribe, jvm, daemon, listeners);
  }

  private static void pairs(String[] w, int from, Map<String, String> into) {
    for (int i = from; i < w.length; i++) {
      int eq = w[i].indexOf('=');
      if (eq > 0) {
        into.put(w[i].substring(0, eq), w[i].substring(eq + 1));
      }
    }
  }

  static long number(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      return 0;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The ring's size, estimated from the leaf set: when the leaf set does not cover the whole id
   * space, the {@code L} leaves with this node span an arc of {@code a} of the {@code 2^160} ids,
   * so about {@code L * 2^160 / a} nodes share the ring (ids are uniform). A leaf set that holds
   * every other node (a small ring: fewer members than it has room for, or the two sides overlap)
   * gives the exact count.
   *
   * @param leafSetCapacity how many leaves the leaf set holds when the ring is large enough
   */
  long ringSizeEstimate(int leafSetCapacity) {
    if (nodeId.isEmpty()) {
      return 0;
    }
    java.util.Set<String> distinct = new java.util.LinkedHashSet<>(leafIds);
    distinct.remove(nodeId);
    if (distinct.size() < leafSetCapacity || distinct.size() < leafIds.size()) {
      return distinct.size() + 1L; // the leaf set holds the whole ring
    }
    BigInteger ring = BigInteger.ONE.shiftLeft(160);
    BigInteger self = new BigInteger(nodeId, 16);
    BigInteger maxCw = BigInteger.ZERO;
    BigInteger maxCcw = BigInteger.ZERO;
    for (String l : distinct) {
      BigInteger cw = new BigInteger(l, 16).subtract(self).mod(ring);
      BigInteger ccw = ring.subtract(cw).mod(ring);
      if (cw.compareTo(ccw) <= 0) {
        maxCw = maxCw.max(cw);
      } else {
        maxCcw = maxCcw.max(ccw);
      }
    }
    BigInteger arc = maxCw.add(maxCcw);
    if (arc.signum() == 0) {
      return distinct.size() + 1L;
    }
    return BigInteger.valueOf(distinct.size()).multiply(ring).divide(arc).longValue();
  }
}
