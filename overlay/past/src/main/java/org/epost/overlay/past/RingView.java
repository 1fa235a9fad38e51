package org.epost.overlay.past;

import java.util.Arrays;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;

/**
 * A snapshot of the ring around this node: its leaf set plus itself, sorted by id. Answers "is node
 * n among the k closest to key" as far as this node can tell, which is exact for keys inside the
 * leaf set's span. Built per maintenance step; never stored.
 */
final class RingView {
  private final Id[] ids; // sorted, distinct
  private final double[] fractions; // ids[i].toFraction(), for a cheap first comparison
  private final Id local;
  private final boolean wholeRing;

  private RingView(Id[] ids, Id local, boolean wholeRing) {
    this.ids = ids;
    this.local = local;
    this.wholeRing = wholeRing;
    this.fractions = new double[ids.length];
    for (int i = 0; i < ids.length; i++) {
      fractions[i] = ids[i].toFraction();
    }
  }

  /**
   * @param leafSet the router's leaf set
   * @param leafSetCapacity L: when the leaf set holds fewer members, it holds the whole ring
   */
  static RingView of(Id local, List<NodeHandle> leafSet, int leafSetCapacity) {
    return extended(local, leafSet, List.of(), leafSetCapacity);
  }

  /**
   * A view of the leaf set plus {@code absent}: nodes that left it recently and are presumed to
   * come back with their disks (ADR 0080). Replica responsibility and holder counting use this
   * view, so a temporary absence does not move a replica set.
   */
  static RingView extended(
      Id local, List<NodeHandle> leafSet, java.util.Collection<Id> absent, int leafSetCapacity) {
    Id[] a = new Id[leafSet.size() + absent.size() + 1];
    int n = 0;
    a[n++] = local;
    for (NodeHandle h : leafSet) {
      a[n++] = h.id();
    }
    for (Id id : absent) {
      a[n++] = id;
    }
    Arrays.sort(a, 0, n);
    int d = 0;
    for (int i = 0; i < n; i++) {
      if (d == 0 || !a[i].equals(a[d - 1])) {
        a[d++] = a[i];
      }
    }
    return new RingView(Arrays.copyOf(a, d), local, leafSet.size() < leafSetCapacity);
  }

  /**
   * The {@code w} members of this view numerically closest to {@code key}, closest first (all of
   * them when the view is smaller). Walks outwards from the key's position in the sorted ring.
   */
  Id[] closest(Id key, int w) {
    int n = ids.length;
    if (n <= w) {
      Id[] all = ids.clone();
      Arrays.sort(all, Id.byClosenessTo(key));
      return all;
    }
    int pos = Arrays.binarySearch(ids, key);
    int right = pos >= 0 ? pos : -pos - 1; // first id >= key (mod n)
    int left = right - 1;
    double k = key.toFraction();
    Id[] out = new Id[w];
    for (int c = 0; c < w; c++) {
      int ri = Math.floorMod(right, n);
      int li = Math.floorMod(left, n);
      Id r = ids[ri];
      Id l = ids[li];
      // r lies clockwise of the key and l anticlockwise (the walk never wraps past the other side
      // since w < n); compare their distances in 53-bit fractions, exactly only when those tie.
      double dr = fractions[ri] - k;
      double dl = k - fractions[li];
      dr = dr < 0 ? dr + 1 : dr;
      dl = dl < 0 ? dl + 1 : dl;
      boolean rightCloser = dr < dl ? true : dr > dl ? false : key.isCloser(r, l);
      if (rightCloser) {
        out[c] = r;
        right++;
      } else {
        out[c] = l;
        left--;
      }
    }
    return out;
  }

  boolean contains(Id id) {
    return Arrays.binarySearch(ids, id) >= 0;
  }

  /**
   * This view with {@code extra} added (a peer that wrote to us but is not in our leaf set yet).
   */
  RingView with(Id extra) {
    if (Arrays.binarySearch(ids, extra) >= 0) {
      return this;
    }
    Id[] a = Arrays.copyOf(ids, ids.length + 1);
    a[ids.length] = extra;
    Arrays.sort(a);
    return new RingView(a, local, wholeRing);
  }

  int size() {
    return ids.length;
  }

  /**
   * Nodes of the view strictly closer to {@code key} than {@code node}, counting at most up to
   * {@code limit}.
   */
  int rank(Id node, Id key, int limit) {
    int closer = 0;
    for (Id other : ids) {
      if (!other.equals(node) && key.isCloser(other, node)) {
        if (++closer >= limit) {
          return closer;
        }
      }
    }
    return closer;
  }

  /**
   * The arc (from, to] spanning {@code perSide} members on each side of this node; null if that
   * covers the ring.
   */
  Id[] arcAround(int perSide) {
    if (wholeRing || ids.length <= 2 * perSide + 1) {
      return null;
    }
    int m = Arrays.binarySearch(ids, local);
    int n = ids.length;
    return new Id[] {ids[Math.floorMod(m - perSide - 1, n)], ids[Math.floorMod(m + perSide, n)]};
  }

  /**
   * Up to {@code perSide} neighbours on each side of this node, nearest first, without duplicates.
   */
  Id[] neighbours(int perSide) {
    int m = Arrays.binarySearch(ids, local);
    int n = ids.length;
    int count = Math.min(n - 1, 2 * perSide);
    Id[] out = new Id[count];
    int c = 0;
    for (int i = 1; c < count && i <= perSide; i++) {
      Id cw = ids[Math.floorMod(m + i, n)];
      if (!contains(out, c, cw)) {
        out[c++] = cw;
      }
      Id acw = ids[Math.floorMod(m - i, n)];
      if (c < count && !contains(out, c, acw)) {
        out[c++] = acw;
      }
    }
    return Arrays.copyOf(out, c);
  }

  /** Whether id lies in the clockwise arc (from, to]. */
  static boolean inArc(Id id, Id from, Id to) {
    int c = from.compareTo(to);
    if (c < 0) {
      return id.compareTo(from) > 0 && id.compareTo(to) <= 0;
    }
    return id.compareTo(from) > 0 || id.compareTo(to) <= 0;
  }

  private static boolean contains(Id[] a, int n, Id x) {
    for (int i = 0; i < n; i++) {
      if (a[i].equals(x)) {
        return true;
      }
    }
    return false;
  }
}
