package org.epost.overlay.pastry;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;

/**
 * Pastry routing table: 40 rows x 16 columns; entry [r][c] shares r digits with the local id and
 * has digit c at position r. Sparse: a row's arrays exist only once it has an entry, so a node in a
 * ring of N nodes holds about log16(N) rows. Each entry carries the measured round-trip time (ms,
 * {@link #UNKNOWN_RTT} if not measured) for proximity neighbour selection. Event-loop confined.
 */
final class RoutingTable {
  static final int ROWS = Id.DIGITS;
  static final int COLUMNS = 16;
  static final int UNKNOWN_RTT = Short.MAX_VALUE;

  private final Id self;
  private final NodeHandle[][] rows = new NodeHandle[ROWS][];
  private final short[][] rtts = new short[ROWS][];

  RoutingTable(Id self) {
    this.self = self;
  }

  NodeHandle get(int row, int column) {
    NodeHandle[] r = rows[row];
    return r == null ? null : r[column];
  }

  int rtt(int row, int column) {
    short[] r = rtts[row];
    return r == null ? UNKNOWN_RTT : r[column];
  }

  /** The slot {@code h} belongs in: row * 16 + column, or -1 for the local id itself. */
  int slotOf(Id id) {
    int row = self.sharedPrefixLength(id);
    return row >= ROWS ? -1 : row * COLUMNS + id.digit(row);
  }

  /**
   * Offers {@code h} with round-trip time {@code rttMillis} (or {@link #UNKNOWN_RTT}). It takes an
   * empty slot, replaces the same node (updating its rtt), or replaces an entry with a larger rtt
   * (proximity neighbour selection). Returns true if the table changed.
   */
  boolean offer(NodeHandle h, int rttMillis) {
    int slot = slotOf(h.id());
    if (slot < 0) {
      return false;
    }
    int row = slot / COLUMNS;
    int col = slot % COLUMNS;
    if (rows[row] == null) {
      rows[row] = new NodeHandle[COLUMNS];
      short[] r = new short[COLUMNS];
      java.util.Arrays.fill(r, (short) UNKNOWN_RTT);
      rtts[row] = r;
    }
    NodeHandle cur = rows[row][col];
    int rtt = Math.min(rttMillis, UNKNOWN_RTT);
    if (cur == null) {
      rows[row][col] = h;
      rtts[row][col] = (short) rtt;
      return true;
    }
    if (cur.id().equals(h.id())) {
      boolean changed = !cur.equals(h);
      rows[row][col] = h;
      if (rtt < UNKNOWN_RTT && rtts[row][col] != rtt) {
        rtts[row][col] = (short) rtt;
        changed = true;
      }
      return changed;
    }
    if (rtt < rtts[row][col]) {
      rows[row][col] = h;
      rtts[row][col] = (short) rtt;
      return true;
    }
    return false;
  }

  /** Removes the node with {@code id}; returns true if it was present. */
  boolean remove(Id id) {
    int slot = slotOf(id);
    if (slot < 0) {
      return false;
    }
    NodeHandle[] r = rows[slot / COLUMNS];
    if (r != null && r[slot % COLUMNS] != null && r[slot % COLUMNS].id().equals(id)) {
      r[slot % COLUMNS] = null;
      rtts[slot / COLUMNS][slot % COLUMNS] = UNKNOWN_RTT;
      return true;
    }
    return false;
  }

  /** The filled entries of {@code row}. */
  List<NodeHandle> row(int row) {
    NodeHandle[] r = rows[row];
    List<NodeHandle> list = new ArrayList<>();
    if (r != null) {
      for (NodeHandle h : r) {
        if (h != null) {
          list.add(h);
        }
      }
    }
    return list;
  }

  /**
   * Up to {@code n} entries of {@code row} with the lowest measured round-trip time, closest first.
   */
  List<NodeHandle> nearest(int row, int n) {
    List<NodeHandle> list = new ArrayList<>();
    NodeHandle[] r = rows[row];
    if (r == null) {
      return list;
    }
    short[] t = rtts[row];
    boolean[] taken = new boolean[COLUMNS];
    for (int k = 0; k < n; k++) {
      int best = -1;
      for (int c = 0; c < COLUMNS; c++) {
        if (r[c] != null && !taken[c] && t[c] < UNKNOWN_RTT && (best < 0 || t[c] < t[best])) {
          best = c;
        }
      }
      if (best < 0) {
        break;
      }
      taken[best] = true;
      list.add(r[best]);
    }
    return list;
  }

  /** The filled entries of {@code row} as a ROW_REPLY. */
  Message.Row reply(int row) {
    List<NodeHandle> entries = row(row);
    int[] r = new int[entries.size()];
    for (int i = 0; i < r.length; i++) {
      NodeHandle h = entries.get(i);
      r[i] = rtt(row, h.id().digit(row));
    }
    return new Message.Row(WireFormat.ROW_REPLY, row, entries, r);
  }

  /** Index of the last row that has an entry, or -1. */
  int highestRow() {
    for (int i = ROWS - 1; i >= 0; i--) {
      if (rows[i] != null) {
        for (NodeHandle h : rows[i]) {
          if (h != null) {
            return i;
          }
        }
      }
    }
    return -1;
  }

  /** All entries, row by row. */
  List<NodeHandle> entries() {
    List<NodeHandle> list = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      list.addAll(row(i));
    }
    return list;
  }

  /** Calls {@code visitor} for every entry (no allocation). */
  void forEach(java.util.function.Consumer<NodeHandle> visitor) {
    for (NodeHandle[] r : rows) {
      if (r != null) {
        for (NodeHandle h : r) {
          if (h != null) {
            visitor.accept(h);
          }
        }
      }
    }
  }
}
