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

  BloomFilter(long salt, int hashes, long[] words) {
    if (words.length < 1 || words.length > MAX_WORDS || hashes < 1 || hashes > MAX_HASHES) {
      throw new IllegalArgumentException(
          "bloom filter of " + words.length + " words and " + hashes + " hashes");
    }
    this.salt = salt;
    this.hashes = hashes;
    this.words = words;
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
    for (int i = 0; i < hashes; i++) {
      int bit = (int) Long.remainderUnsigned(h1 + i * h2, bits);
      words[bit >>> 6] |= 1L << bit;
    }
  }

  boolean mightContain(Id id, long version) {
    long h1 = mix(id.hashCode() ^ salt ^ (version * 0x9E3779B97F4A7C15L));
    long h2 = mix(Double.doubleToRawLongBits(id.toFraction()) ^ salt ^ version) | 1;
    int bits = words.length * 64;
    for (int i = 0; i < hashes; i++) {
      int bit = (int) Long.remainderUnsigned(h1 + i * h2, bits);
      if ((words[bit >>> 6] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
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
