package org.epost.overlay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IdTest {
  private static final BigInteger RING = BigInteger.ONE.shiftLeft(160);

  private static Id id(long a, long b, int c) {
    return Id.of(a, b, c);
  }

  private static BigInteger big(Id id) {
    return new BigInteger(1, id.toBytes());
  }

  @Test
  void hexRoundTripAndDigits() {
    Id x = Id.fromHex("0123456789abcdef0123456789ABCDEF01234567");
    assertEquals("0123456789abcdef0123456789abcdef01234567", x.toHex());
    assertEquals(0, x.digit(0));
    assertEquals(0xf, x.digit(15));
    assertEquals(0x7, x.digit(39));
    assertThrows(IllegalArgumentException.class, () -> Id.fromHex("12"));
    assertThrows(IllegalArgumentException.class, () -> Id.fromHex("g".repeat(40)));
  }

  @Test
  void sharedPrefixCountsWholeDigits() {
    Id a = Id.fromHex("abc" + "0".repeat(37));
    Id b = Id.fromHex("abd" + "0".repeat(37));
    assertEquals(2, a.sharedPrefixLength(b));
    assertEquals(40, a.sharedPrefixLength(a));
    assertEquals(0, a.sharedPrefixLength(Id.ZERO));
  }

  @Test
  void distancesWrapAroundTheRing() {
    Id small = Id.fromHex("0".repeat(39) + "1");
    Id large = Id.fromHex("f".repeat(40));
    assertEquals(Id.fromHex("0".repeat(39) + "2"), large.clockwiseDistance(small));
    assertEquals(Id.fromHex("0".repeat(39) + "2"), large.ringDistance(small));
    assertTrue(large.compareTo(small) > 0, "unsigned order");
  }

  @Test
  void tieBreakIsDeterministicAndAsymmetric() {
    Id key = Id.fromHex("8" + "0".repeat(39));
    Id up = Id.fromHex("8" + "0".repeat(38) + "1");
    Id down = Id.fromHex("7" + "f".repeat(39));
    assertTrue(key.isCloser(up, down));
    assertFalse(key.isCloser(down, up));
    assertFalse(key.isCloser(up, up));
  }

  /** 500 pairs of ids; a quarter of the words are edge values (0, 1, -1, min, max). */
  static Stream<Arguments> idPairs() {
    SplittableRandom r = new SplittableRandom(20_260_002);
    return Stream.generate(
            () -> Arguments.of(word(r), word(r), (int) word(r), word(r), word(r), (int) word(r)))
        .limit(500);
  }

  private static final long[] EDGES = {
    0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE
  };

  private static long word(SplittableRandom r) {
    return r.nextInt(4) == 0 ? EDGES[r.nextInt(EDGES.length)] : r.nextLong();
  }

  @ParameterizedTest
  @MethodSource("idPairs")
  void arithmeticMatchesBigIntegers(long a1, long a2, int a3, long b1, long b2, int b3) {
    Id a = id(a1, a2, a3);
    Id b = id(b1, b2, b3);
    assertEquals(big(a).add(big(b)).mod(RING), big(a.add(b)));
    assertEquals(big(a).subtract(big(b)).mod(RING), big(a.subtract(b)));
    assertEquals(Integer.signum(big(a).compareTo(big(b))), Integer.signum(a.compareTo(b)));
    assertEquals(a, a.subtract(b).add(b));
    assertTrue(a.ringDistance(b).compareTo(Id.HALF) <= 0);
    assertEquals(a.ringDistance(b), b.ringDistance(a));
    assertEquals(a, Id.fromHex(a.toHex()));
    assertEquals(a, Id.fromBytes(a.toBytes()));
    int shared = a.sharedPrefixLength(b);
    for (int i = 0; i < shared; i++) {
      assertEquals(a.digit(i), b.digit(i));
    }
    if (shared < Id.DIGITS) {
      assertTrue(a.digit(shared) != b.digit(shared));
    }
  }

  /**
   * The allocation-free ring comparison answers exactly as comparing the computed distances, on
   * random ids and on the edges (equal ids, half the ring apart, borrows in every word).
   */
  @Test
  void ringDistanceComparisonMatchesComputedDistances() {
    SplittableRandom r = new SplittableRandom(14);
    long[] words = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE};
    int[] lows = {0, 1, -1, Integer.MIN_VALUE};
    java.util.List<Id> ids = new java.util.ArrayList<>();
    for (long h : words) {
      for (long m : words) {
        for (int l : lows) {
          ids.add(id(h, m, l));
        }
      }
    }
    for (int i = 0; i < 300; i++) {
      ids.add(id(r.nextLong(), r.nextLong(), r.nextInt()));
    }
    for (int n = 0; n < 200_000; n++) {
      Id key = ids.get(r.nextInt(ids.size()));
      Id a = ids.get(r.nextInt(ids.size()));
      Id b = r.nextInt(8) == 0 ? key.add(key.subtract(a)) : ids.get(r.nextInt(ids.size()));
      int expected = Integer.signum(key.ringDistance(a).compareTo(key.ringDistance(b)));
      assertEquals(
          expected, Integer.signum(key.compareRingDistances(a, b)), key + " " + a + " " + b);
      boolean closer =
          expected != 0
              ? expected < 0
              : !a.equals(b) && key.clockwiseDistance(a).compareTo(key.clockwiseDistance(b)) < 0;
      assertEquals(closer, key.isCloser(a, b));
    }
  }
}
