package org.epost.overlay.pastry;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;

/**
 * The L/2 nearest known nodes on each side of the local id, nearest first. In a ring of at most L
 * nodes a node may sit on both sides. Fixed-size arrays: no growth. Event-loop confined.
 */
final class LeafSet {
  private final NodeHandle self;
  private final Id selfId;
  private final int half;
  private final NodeHandle[] cw; // clockwise (larger ids), nearest first
  private final NodeHandle[] ccw; // anticlockwise, nearest first
  private int cwSize;
  private int ccwSize;
  private boolean wraps = true;
  private long version;

  LeafSet(NodeHandle self, int size) {
    this.self = self;
    this.selfId = self.id();
    this.half = size / 2;
    this.cw = new NodeHandle[half];
    this.ccw = new NodeHandle[half];
  }

  /** Increases on every change of membership. */
  long version() {
    return version;
  }

  /**
   * Adds {@code h} on each side where it belongs among the nearest L/2. Returns true if the leaf
   * set changed.
   */
  boolean add(NodeHandle h) {
    if (h.id().equals(selfId)) {
      return false;
    }
    boolean a = insert(cw, true, h);
    boolean b = insert(ccw, false, h);
    if (a || b) {
      updateWraps();
      version++;
    }
    return a || b;
  }

  private boolean insert(NodeHandle[] side, boolean clockwise, NodeHandle h) {
    int size = clockwise ? cwSize : ccwSize;
    for (int i = 0; i < size; i++) {
      if (side[i].id().equals(h.id())) {
        if (!side[i].equals(h)) {
          side[i] = h; // same id, new address
          return true;
        }
        return false;
      }
    }
    Id id = h.id();
    if (size == half && compareDistances(clockwise, id, side[size - 1].id()) >= 0) {
      return false;
    }
    int pos = size;
    for (int i = 0; i < size; i++) {
      if (side[i].id().equals(h.id())) {
        if (!side[i].equals(h)) {
          side[i] = h; // same id, new address
          return true;
        }
        return false;
      }
      if (pos == size && compareDistances(clockwise, id, side[i].id()) < 0) {
        pos = i;
      }
    }
    if (pos >= half) {
      return false;
    }
    int last = Math.min(size, half - 1);
    System.arraycopy(side, pos, side, pos + 1, last - pos);
    side[pos] = h;
    if (size < half) {
      if (clockwise) {
        cwSize++;
      } else {
        ccwSize++;
      }
    }
    return true;
  }

  private int compareDistances(boolean clockwise, Id a, Id b) {
    return clockwise
        ? selfId.compareClockwiseDistances(a, b)
        : selfId.compareAnticlockwiseDistances(a, b);
  }

  /**
   * The member furthest clockwise if that side is full (the one an insertion there evicts), else
   * null.
   */
  NodeHandle evictableClockwise() {
    return cwSize == half ? cw[half - 1] : null;
  }

  /** The member furthest anticlockwise if that side is full, else null. */
  NodeHandle evictableAnticlockwise() {
    return ccwSize == half ? ccw[half - 1] : null;
  }

  /** Removes the node with {@code id}; returns true if it was a member. */
  boolean remove(Id id) {
    boolean a = removeFrom(cw, true, id);
    boolean b = removeFrom(ccw, false, id);
    if (a || b) {
      updateWraps();
      version++;
    }
    return a || b;
  }

  private boolean removeFrom(NodeHandle[] side, boolean clockwise, Id id) {
    int size = clockwise ? cwSize : ccwSize;
    for (int i = 0; i < size; i++) {
      if (side[i].id().equals(id)) {
        System.arraycopy(side, i + 1, side, i, size - i - 1);
        side[size - 1] = null;
        if (clockwise) {
          cwSize--;
        } else {
          ccwSize--;
        }
        return true;
      }
    }
    return false;
  }

  private static boolean onSide(NodeHandle[] side, int size, Id id) {
    for (int i = 0; i < size; i++) {
      if (side[i].id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  boolean contains(Id id) {
    for (int i = 0; i < cwSize; i++) {
      if (cw[i].id().equals(id)) {
        return true;
      }
    }
    for (int i = 0; i < ccwSize; i++) {
      if (ccw[i].id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  /**
   * True if {@code h} itself (this instance) is a member: a scan of references only, which touches
   * no member's id (with interned handles, the common "already known" case of a heartbeat's list).
   */
  boolean containsInstance(NodeHandle h) {
    for (int i = 0; i < cwSize; i++) {
      if (cw[i] == h) {
        return true;
      }
    }
    for (int i = 0; i < ccwSize; i++) {
      if (ccw[i] == h) {
        return true;
      }
    }
    return false;
  }

  /** Returns the member with {@code id}, or null. */
  NodeHandle get(Id id) {
    for (int i = 0; i < cwSize; i++) {
      if (cw[i].id().equals(id)) {
        return cw[i];
      }
    }
    for (int i = 0; i < ccwSize; i++) {
      if (ccw[i].id().equals(id)) {
        return ccw[i];
      }
    }
    return null;
  }

  /** Nearest clockwise neighbour, or null. */
  NodeHandle nearestClockwise() {
    return cwSize == 0 ? null : cw[0];
  }

  /** Nearest anticlockwise neighbour, or null. */
  NodeHandle nearestAnticlockwise() {
    return ccwSize == 0 ? null : ccw[0];
  }

  boolean isEmpty() {
    return cwSize == 0 && ccwSize == 0;
  }

  /**
   * True when {@code key} lies between the furthest members of the two sides, so that the closest
   * node to it is among the leaf set and this node. Also true while a side is not full: then this
   * node knows the whole (small) ring.
   */
  boolean covers(Id key) {
    if (wraps) {
      return true;
    }
    Id left = ccwSize > 0 ? ccw[ccwSize - 1].id() : selfId;
    Id right = cwSize > 0 ? cw[cwSize - 1].id() : selfId;
    return left.compareClockwiseDistances(key, right) <= 0;
  }

  /** Both sides short, or a node on both sides: this node knows the whole ring. */
  private void updateWraps() {
    boolean w = cwSize < half && ccwSize < half;
    for (int i = 0; i < cwSize && !w; i++) {
      for (int j = 0; j < ccwSize; j++) {
        if (cw[i] == ccw[j] || cw[i].id().equals(ccw[j].id())) {
          w = true;
          break;
        }
      }
    }
    wraps = w;
  }

  /**
   * Among this node and the members (except {@code excluded}, may be null), the closest to {@code
   * key}.
   */
  NodeHandle closest(Id key, Id excluded) {
    return closest(key, excluded, null);
  }

  /** {@link #closest(Id, Id)} with a second member to pass over ({@code avoided}, may be null). */
  NodeHandle closest(Id key, Id excluded, Id avoided) {
    NodeHandle best = self;
    for (int i = 0; i < cwSize; i++) {
      Id id = cw[i].id();
      if (!id.equals(excluded) && !id.equals(avoided) && key.isCloser(id, best.id())) {
        best = cw[i];
      }
    }
    for (int i = 0; i < ccwSize; i++) {
      Id id = ccw[i].id();
      if (!id.equals(excluded) && !id.equals(avoided) && key.isCloser(id, best.id())) {
        best = ccw[i];
      }
    }
    return best;
  }

  /**
   * Members without duplicates: anticlockwise furthest to nearest, then clockwise nearest to
   * furthest.
   */
  List<NodeHandle> members() {
    List<NodeHandle> list = new ArrayList<>(cwSize + ccwSize);
    for (int i = ccwSize - 1; i >= 0; i--) {
      list.add(ccw[i]);
    }
    for (int i = 0; i < cwSize; i++) {
      if (!wraps || !onSide(ccw, ccwSize, cw[i].id())) {
        list.add(cw[i]);
      }
    }
    return list;
  }

  int size() {
    return cwSize + ccwSize;
  }
}
