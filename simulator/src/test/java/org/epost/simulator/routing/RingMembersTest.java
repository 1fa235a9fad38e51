package org.epost.simulator.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RingMembersTest {

  @Test
  void closestWrapsAroundTheRing() {
    RingMembers m = new RingMembers();
    BigInteger low = BigInteger.valueOf(10);
    BigInteger high = RingMembers.RING.subtract(BigInteger.valueOf(10));
    BigInteger middle = RingMembers.RING.shiftRight(1);
    m.add(low);
    m.add(high);
    m.add(middle);
    assertEquals(high, m.closest(RingMembers.RING.subtract(BigInteger.ONE)));
    assertEquals(low, m.closest(BigInteger.ZERO.add(BigInteger.valueOf(3))));
    assertEquals(
        low, m.closest(BigInteger.ZERO), "tie between 10 and 2^160-10 goes to the lower id");
    assertEquals(middle, m.closest(middle.add(BigInteger.TEN)));
  }

  /** 200 seeds, each a ring of 1 to 40 members with a third removed. */
  static LongStream seeds() {
    return LongStream.range(1, 201);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void closestAgreesWithAFullScan(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    RingMembers m = new RingMembers();
    List<BigInteger> ids = new ArrayList<>();
    int n = 1 + rnd.nextInt(40);
    for (int i = 0; i < n; i++) {
      BigInteger id = RingMembers.randomId(rnd);
      m.add(id);
      ids.add(id);
    }
    // remove a few, to exercise the swap-remove index
    for (int i = 0; i < n / 3; i++) {
      BigInteger gone = ids.remove(rnd.nextInt(ids.size()));
      assertTrue(m.remove(gone));
      assertFalse(m.contains(gone));
    }
    assertEquals(ids.size(), m.size());
    BigInteger key = RingMembers.randomId(rnd);
    BigInteger best = ids.get(0);
    for (BigInteger id : ids) {
      int c = RingMembers.distance(id, key).compareTo(RingMembers.distance(best, key));
      if (c < 0 || (c == 0 && id.compareTo(best) < 0)) {
        best = id;
      }
    }
    assertEquals(best, m.closest(key));
    assertTrue(ids.contains(m.random(rnd)));
  }

  @Test
  void randomIdsSpanTheWholeIdSpace() {
    SplittableRandom rnd = new SplittableRandom(7);
    int top = 0;
    for (int i = 0; i < 1000; i++) {
      BigInteger id = RingMembers.randomId(rnd);
      assertTrue(id.signum() >= 0 && id.compareTo(RingMembers.RING) < 0);
      if (id.testBit(159)) {
        top++;
      }
    }
    assertTrue(top > 400 && top < 600, "the top bit is set about half the time: " + top);
  }
}
