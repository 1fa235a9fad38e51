package org.epost.simulator.routing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The experiment's own view of who is in the ring: the ids of live nodes that finished their join.
 * Sorted, to answer "which live node is numerically closest to this key" (the correct root), and
 * indexed, to pick a uniformly random member in constant time.
 *
 * <p>Not thread-safe; used on the experiment's thread only.
 */
final class RingMembers {

  static final int ID_BITS = 160;
  static final BigInteger RING = BigInteger.ONE.shiftLeft(ID_BITS);
  private static final BigInteger HALF = RING.shiftRight(1);

  private final NavigableSet<BigInteger> sorted = new TreeSet<>();
  private final List<BigInteger> list = new ArrayList<>();
  private final Map<BigInteger, Integer> position = new HashMap<>();

  /** Adds a member; returns false if it is already one. */
  boolean add(BigInteger id) {
    if (position.containsKey(id)) {
      return false;
    }
    sorted.add(id);
    position.put(id, list.size());
    list.add(id);
    return true;
  }

  /** Removes a member; returns false if it was not one. */
  boolean remove(BigInteger id) {
    Integer at = position.remove(id);
    if (at == null) {
      return false;
    }
    sorted.remove(id);
    BigInteger last = list.remove(list.size() - 1);
    if (at < list.size()) {
      list.set(at, last);
      position.put(last, at);
    }
    return true;
  }

  boolean contains(BigInteger id) {
    return position.containsKey(id);
  }

  int size() {
    return list.size();
  }

  /** A uniformly random member. */
  BigInteger random(SplittableRandom rnd) {
    if (list.isEmpty()) {
      throw new IllegalStateException("the ring has no members");
    }
    return list.get(rnd.nextInt(list.size()));
  }

  /** The member with the smallest ring distance to {@code key} (the lower id on a tie). */
  BigInteger closest(BigInteger key) {
    if (sorted.isEmpty()) {
      throw new IllegalStateException("the ring has no members");
    }
    BigInteger up = sorted.ceiling(key);
    if (up == null) {
      up = sorted.first();
    }
    BigInteger down = sorted.floor(key);
    if (down == null) {
      down = sorted.last();
    }
    int cmp = distance(up, key).compareTo(distance(down, key));
    if (cmp < 0) {
      return up;
    }
    if (cmp > 0) {
      return down;
    }
    return up.min(down);
  }

  /** Ring (circular) distance between two ids. */
  static BigInteger distance(BigInteger a, BigInteger b) {
    BigInteger d = a.subtract(b).abs();
    return d.compareTo(HALF) > 0 ? RING.subtract(d) : d;
  }

  /** A uniformly random id in {@code [0, 2^160)}. */
  static BigInteger randomId(SplittableRandom rnd) {
    byte[] bytes = new byte[ID_BITS / 8];
    for (int i = 0; i < bytes.length; i += 4) {
      int v = rnd.nextInt();
      bytes[i] = (byte) (v >>> 24);
      bytes[i + 1] = (byte) (v >>> 16);
      bytes[i + 2] = (byte) (v >>> 8);
      bytes[i + 3] = (byte) v;
    }
    return new BigInteger(1, bytes);
  }
}
