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

  /** A newcomer is measured back only if the slot it fits holds an entry slower than this. */
  static final int PING_BACK_ABOVE_MILLIS = 40;

  /** Entries per row asked for their row when joining. */
  static final int JOIN_ROW_SOURCES = 2;

  static final long FIRST_ROUND_MILLIS = 5_000;

  /** Proximity refinement rounds after joining, and their spacing. */
  static final int REFINE_ROUNDS = 3;

  static final long REFINE_INTERVAL_MILLIS = 2_000;

  /** How long after joining candidates are probed without the per-round limit. */
  static final long JOIN_PROBE_MILLIS = 30_000;

  /** Probes per row reply while joining (best triangle bound first). */
  static final int JOIN_PROBES_PER_REPLY = 6;

  /** Probes a joining node sends to candidates in total, beyond the entries it was given. */
  static final int JOIN_PROBE_BUDGET = 96;

  private final PastryNode node;
  private Cancellable timer;
  private long period;
  private long joinedAt = Long.MIN_VALUE / 2;
  private int joinProbesLeft;

  TableMaintenance(PastryNode node) {
    this.node = node;
  }

  /** Rounds start frequent after joining and back off to the configured period. */
  void start() {
    period = Math.min(FIRST_ROUND_MILLIS, node.config.maintenanceMillis());
    timer =
        node.env
            .scheduler()
            .schedule(period + node.env.random().nextInt((int) period), this::round);
  }

  void stop() {
    if (timer != null) {
      timer.cancel();
    }
  }

  /**
   * Whether to measure a node that pinged us: only if the slot it fits holds an entry slower than
   * {@link #PING_BACK_ABOVE_MILLIS}. The measurement rides on our PONG (ADR 0026).
   */
  private boolean wantsMeasure(NodeHandle h) {
    int slot = node.table.slotOf(h.id());
    return slot >= 0
        && node.table.rtt(slot / RoutingTable.COLUMNS, slot % RoutingTable.COLUMNS)
            > PING_BACK_ABOVE_MILLIS;
  }

  void ping(NodeHandle h) {
    long now = node.env.clock().nowMillis();
    node.send(h, new Message.Probe(WireFormat.PING, now, now - joinedAt < JOIN_PROBE_MILLIS));
  }

  /**
   * After joining: measure every entry, and ask up to {@link #JOIN_ROW_SOURCES} entries of each row
   * for their version of that row, so each slot gets several measured candidates.
   */
  void probeAll() {
    joinedAt = node.env.clock().nowMillis();
    joinProbesLeft = JOIN_PROBE_BUDGET;
    node.table.forEach(this::ping);
    int top = node.table.highestRow();
    for (int r = 0; r <= top; r++) {
      List<NodeHandle> entries = node.table.row(r);
      for (int i = 0; i < JOIN_ROW_SOURCES && !entries.isEmpty(); i++) {
        NodeHandle peer = entries.remove(node.env.random().nextInt(entries.size()));
        node.send(peer, Message.Row.request(r));
      }
    }
    for (int round = 1; round <= REFINE_ROUNDS; round++) {
      node.env.scheduler().schedule(round * REFINE_INTERVAL_MILLIS, this::refine);
    }
  }

  /**
   * Proximity refinement: the rows of nodes near us hold nodes near us. Ask the nearest measured
   * entries of each row for that row; their entries get probed and the closer ones kept.
   */
  private void refine() {
    if (node.state == PastryNode.State.STOPPED) {
      return;
    }
    int top = node.table.highestRow();
    for (int r = 0; r <= top; r++) {
      for (NodeHandle peer : node.table.nearest(r, JOIN_ROW_SOURCES)) {
        node.send(peer, Message.Row.request(r));
      }
    }
  }

  private void round() {
    if (node.state != PastryNode.State.READY) {
      return;
    }
    int top = node.table.highestRow();
    if (top >= 0) {
      int row = node.env.random().nextInt(top + 1);
      List<NodeHandle> entries = node.table.nearest(row, 3);
      if (entries.isEmpty()) {
        entries = node.table.row(row);
      }
      if (!entries.isEmpty()) {
        NodeHandle peer = entries.get(node.env.random().nextInt(entries.size()));
        node.send(peer, Message.Row.request(row));
      }
    }
    period = Math.min(node.config.maintenanceMillis(), period * 2);
    timer = node.env.scheduler().schedule(period, this::round);
  }

  void received(NodeHandle sender, Message m) {
    switch (m.type()) {
      case WireFormat.PING:
        {
          Message.Probe ping = (Message.Probe) m;
          long now = node.env.clock().nowMillis();
          // A newcomer, or an entry for an empty slot: measure it, it may be closer than what we
          // have. The pinger echoes our clock back in a third leg, which beats a PING/PONG of our
          // own.
          boolean measure =
              (node.table.offer(sender, RoutingTable.UNKNOWN_RTT) || ping.newcomer())
                  && wantsMeasure(sender)
                  && now >= 0;
          node.send(
              sender,
              new Message.Probe(
                  WireFormat.PONG,
                  ping.echoMillis(),
                  false,
                  measure ? now : Message.Probe.NO_MEASURE));
          break;
        }
      case WireFormat.PONG:
        {
          Message.Probe pong = (Message.Probe) m;
          long rtt = node.env.clock().nowMillis() - pong.echoMillis();
          if (rtt >= 0) {
            node.table.offer(sender, (int) Math.min(rtt, RoutingTable.UNKNOWN_RTT - 1));
          }
          if (pong.measureMillis() >= 0) {
            node.send(sender, new Message.Probe(WireFormat.PONG, pong.measureMillis(), false));
          }
          break;
        }
      case WireFormat.ROW_REQUEST:
        {
          int row = ((Message.Row) m).row();
          node.send(sender, node.table.reply(row));
          break;
        }
      case WireFormat.ROW_REPLY:
        consider(sender, (Message.Row) m);
        break;
      default:
        node.stats.malformed++;
    }
  }

  /**
   * Candidates from a peer's row. By the triangle inequality, |rtt(me, peer) - rtt(peer, c)| is a
   * lower bound of rtt(me, c); only candidates whose bound beats the slot's current entry are worth
   * a probe, best bound first, at most the round's limit.
   */
  private void consider(NodeHandle peer, Message.Row reply) {
    boolean joining = node.env.clock().nowMillis() - joinedAt < JOIN_PROBE_MILLIS;
    int limit = joining ? Math.min(JOIN_PROBES_PER_REPLY, joinProbesLeft) : PROBES_PER_ROUND;
    int peerSlot = node.table.slotOf(peer.id());
    NodeHandle peerEntry =
        peerSlot < 0
            ? null
            : node.table.get(peerSlot / RoutingTable.COLUMNS, peerSlot % RoutingTable.COLUMNS);
    int toPeer =
        peerEntry != null && peerEntry.id().equals(peer.id())
            ? node.table.rtt(peerSlot / RoutingTable.COLUMNS, peerSlot % RoutingTable.COLUMNS)
            : RoutingTable.UNKNOWN_RTT;
    List<NodeHandle> entries = reply.entries();
    int n = entries.size();
    int[] bound = new int[n];
    for (int i = 0; i < n; i++) {
      NodeHandle h = entries.get(i);
      bound[i] = -1;
      if (h.id().equals(node.self.id())) {
        continue;
      }
      int slot = node.table.slotOf(h.id());
      if (slot < 0) {
        continue;
      }
      int row = slot / RoutingTable.COLUMNS;
      int col = slot % RoutingTable.COLUMNS;
      NodeHandle cur = node.table.get(row, col);
      if (cur == null) {
        node.table.offer(h, RoutingTable.UNKNOWN_RTT);
        ping(h);
      } else if (!cur.id().equals(h.id())) {
        int lower =
            toPeer == RoutingTable.UNKNOWN_RTT || reply.rtts()[i] >= RoutingTable.UNKNOWN_RTT
                ? 0
                : Math.abs(toPeer - reply.rtts()[i]);
        int current = node.table.rtt(row, col);
        // Probe only if the bound leaves room for a gain worth the round trip (1/8 of the entry).
        if (lower < current) {
          bound[i] = lower;
        }
      }
    }
    for (int probes = 0; probes < limit; probes++) {
      int best = -1;
      for (int i = 0; i < n; i++) {
        if (bound[i] >= 0 && (best < 0 || bound[i] < bound[best])) {
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      bound[best] = -1;
      if (joining) {
        joinProbesLeft--;
      }
      ping(entries.get(best));
    }
  }
}
