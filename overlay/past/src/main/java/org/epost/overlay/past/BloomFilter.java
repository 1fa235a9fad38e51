package org.epost.overlay.past;

import org.epost.overlay.api.Id;

/**
 * A Bloom filter of (object id, version) pairs: the digest of a key range that PAST nodes exchange
 * instead of inventories. About 10 bits per element (1% false positives); the salt changes every
 * round, so an object hidden by a false positive is found in a later round.
 */
final class BloomFilter {
  /** Largest filter accepted from the wire: 1024 words = 65,536 bits = 8 KiB. */
  static final int MAX_WORDS = 1024;

  static final int MAX_HASHES = 16;

  private final long salt;
  private final int hashes;
  private final long[] words;
  private final int wrap; // 2^64 mod the filter's bits

  BloomFilter(long salt, int hashes, long[] words) {
    if (words.length < 1 || words.length > MAX_WORDS || hashes < 1 || hashes > MAX_HASHES) {
      throw new IllegalArgumentException(
          "bloom filter of " + words.length + " words and " + hashes + " hashes");
    }
    this.salt = salt;
    this.hashes = hashes;
    this.words = words;
    this.wrap = wrapOf(words.length * 64);
  }

  private static int wrapOf(int bits) {
    return (int) Long.remainderUnsigned(-(long) bits, bits);
  }

  /** An empty filter sized for {@code expected} elements at about 1% false positives. */
  static BloomFilter forElements(int expected, long salt) {
    int bits = Math.max(64, expected * 10);
    int nwords = Math.min(MAX_WORDS, (bits + 63) / 64);
    return new BloomFilter(salt, 7, new long[nwords]);
  }

  void add(Id id, long version) {
    long h1 = mix(id.hashCode() ^ salt ^ (version * 0x9E3779B97F4A7C15L));
    long h2 = mix(Double.doubleToRawLongBits(id.toFraction()) ^ salt ^ version) | 1;
    int bits = words.length * 64;
    long x = h1;
    int bit = (int) Long.remainderUnsigned(h1, bits);
    int step = (int) Long.remainderUnsigned(h2, bits);
    for (int i = 0; i < hashes; i++) {
      if (i > 0) {
        long next = x + h2;
        bit = nextBit(bit, step, bits, wrap, Long.compareUnsigned(next, x) < 0);
        x = next;
      }
      words[bit >>> 6] |= 1L << bit;
    }
  }

  boolean mightContain(Id id, long version) {
    long h1 = mix(id.hashCode() ^ salt ^ (version * 0x9E3779B97F4A7C15L));
    long h2 = mix(Double.doubleToRawLongBits(id.toFraction()) ^ salt ^ version) | 1;
    int bits = words.length * 64;
    long x = h1;
    int bit = (int) Long.remainderUnsigned(h1, bits);
    int step = -1;
    for (int i = 0; i < hashes; i++) {
      if (i > 0) {
        if (step < 0) {
          step = (int) Long.remainderUnsigned(h2, bits);
        }
        long next = x + h2;
        bit = nextBit(bit, step, bits, wrap, Long.compareUnsigned(next, x) < 0);
        x = next;
      }
      if ((words[bit >>> 6] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Bit i + 1 of an element from bit i, without a 64-bit division: bit i is (h1 + i h2) mod 2^64
   * mod {@code bits}; adding h2 adds {@code step} = h2 mod bits, and when the 64-bit sum wraps it
   * also loses 2^64, that is 2^64 mod bits. The same bits as dividing each sum (tested).
   */
  private static int nextBit(int bit, int step, int bits, int wrap, boolean wrapped) {
    int b = bit + step; // both below bits <= 65,536: no int overflow
    if (b >= bits) {
      b -= bits;
    }
    if (wrapped) {
      b -= wrap;
      if (b < 0) {
        b += bits;
      }
    }
    return b;
  }

  /** The i-th bit of an element with hashes h1, h2 as first defined: by division (for tests). */
  static int bitByDivision(long h1, long h2, int i, int bits) {
    return (int) Long.remainderUnsigned(h1 + i * h2, bits);
  }

  /** The i-th bit as {@link #add} and {@link #mightContain} compute it (for tests). */
  static int bitByStep(long h1, long h2, int i, int bits) {
    long x = h1;
    int bit = (int) Long.remainderUnsigned(h1, bits);
    int step = (int) Long.remainderUnsigned(h2, bits);
    for (int j = 1; j <= i; j++) {
      long next = x + h2;
      bit = nextBit(bit, step, bits, wrapOf(bits), Long.compareUnsigned(next, x) < 0);
      x = next;
    }
    return bit;
  }

  long salt() {
    return salt;
  }

  int hashes() {
    return hashes;
  }

  long[] words() {
    return words;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
