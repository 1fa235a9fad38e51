package org.epost.overlay.pastry;

import java.util.List;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.NodeHandle;

/**
 * Routing-table upkeep and proximity neighbour selection.
 *
 * <p>Round-trip times are measured with stateless probes: PING carries the sender's clock, PONG
 * echoes it. A measured candidate replaces a slot's entry only if it is closer (lower RTT). A
 * joining node probes every entry it was given. Once per maintenance period a ready node asks a
 * random entry of a random row for that row (ROW_REQUEST/ROW_REPLY), takes candidates for empty
 * slots, and probes at most {@link #PROBES_PER_ROUND} candidates for filled ones; so a quiet ring
 * costs 2 + 2 * PROBES_PER_ROUND messages per node per period. Dead entries are removed lazily,
 * when a hop goes unacknowledged ({@link Forwarder}).
 */
final class TableMaintenance {
  static final int PROBES_PER_ROUND = 2;

  private final PastryNode node;
  private Cancellable timer;

  TableMaintenance(PastryNode node) {
    this.node = node;
  }

  void start() {
    long period = node.config.maintenanceMillis();
    timer = node.env.scheduler().schedule(node.env.random().nextInt((int) Math.min(period, Integer.MAX_VALUE)) + 1, this::round);
  }

  void stop() {
    if (timer != null) {
      timer.cancel();
    }
  }

  void ping(NodeHandle h) {
    node.send(h.address(), new Message.Probe(WireFormat.PING, node.env.clock().nowMillis()));
  }

  /** Measure every routing-table entry (after joining). */
  void probeAll() {
    node.table.forEach(this::ping);
  }

  private void round() {
    if (node.state != PastryNode.State.READY) {
      return;
    }
    int top = node.table.highestRow();
    if (top >= 0) {
      int row = node.env.random().nextInt(top + 1);
      List<NodeHandle> entries = node.table.row(row);
      if (!entries.isEmpty()) {
        NodeHandle peer = entries.get(node.env.random().nextInt(entries.size()));
        node.send(peer.address(), new Message.Row(WireFormat.ROW_REQUEST, row, List.of()));
      }
    }
    timer = node.env.scheduler().schedule(node.config.maintenanceMillis(), this::round);
  }

  void received(NodeHandle sender, Message m) {
    switch (m.type()) {
      case WireFormat.PING:
        node.send(sender.address(), new Message.Probe(WireFormat.PONG, ((Message.Probe) m).echoMillis()));
        node.table.offer(sender, RoutingTable.UNKNOWN_RTT); // fills an empty slot only
        break;
      case WireFormat.PONG: {
        long rtt = node.env.clock().nowMillis() - ((Message.Probe) m).echoMillis();
        if (rtt >= 0) {
          node.table.offer(sender, (int) Math.min(rtt, RoutingTable.UNKNOWN_RTT - 1));
        }
        break;
      }
      case WireFormat.ROW_REQUEST: {
        int row = ((Message.Row) m).row();
        node.send(sender.address(), new Message.Row(WireFormat.ROW_REPLY, row, node.table.row(row)));
        break;
      }
      case WireFormat.ROW_REPLY:
        consider(((Message.Row) m).entries());
        break;
      default:
        node.stats.malformed++;
    }
  }

  private void consider(List<NodeHandle> candidates) {
    int probes = 0;
    for (NodeHandle h : candidates) {
      if (h.id().equals(node.self.id())) {
        continue;
      }
      int slot = node.table.slotOf(h.id());
      if (slot < 0) {
        continue;
      }
      NodeHandle cur = node.table.get(slot / RoutingTable.COLUMNS, slot % RoutingTable.COLUMNS);
      if (cur == null) {
        node.table.offer(h, RoutingTable.UNKNOWN_RTT);
        ping(h);
      } else if (!cur.id().equals(h.id()) && probes < PROBES_PER_ROUND) {
        probes++;
        ping(h);
      }
    }
  }
}
