package org.epost.overlay.past;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The digest's bit positions are part of the wire format: stepping from one bit to the next gives
 * exactly the bits that dividing each 64-bit sum gives, for every filter size, wrap or not.
 */
class BloomFilterBitsTest {
  @Test
  void steppedBitsEqualDividedBits() {
    SplittableRandom r = new SplittableRandom(135);
    long[] edges = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, -2, 63, -64};
    for (int words = 1; words <= BloomFilter.MAX_WORDS; words += words < 20 ? 1 : 37) {
      int bits = words * 64;
      for (int n = 0; n < 400; n++) {
        long h1 = n < edges.length ? edges[n] : r.nextLong();
        long h2 = (n < edges.length ? edges[edges.length - 1 - n] : r.nextLong()) | 1;
        for (int i = 0; i < BloomFilter.MAX_HASHES; i++) {
          assertEquals(
              BloomFilter.bitByDivision(h1, h2, i, bits),
              BloomFilter.bitByStep(h1, h2, i, bits),
              "h1=" + h1 + " h2=" + h2 + " i=" + i + " bits=" + bits);
        }
      }
    }
  }
}
