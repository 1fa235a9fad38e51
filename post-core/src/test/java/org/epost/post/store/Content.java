package org.epost.post.store;

import java.io.InputStream;

/** Test content: byte i of stream s is a hash of (s, i), so a reader can check any range. */
final class Content {
  private Content() {}

  static byte at(long seed, long i) {
    long x = (seed * 0x9E3779B97F4A7C15L) ^ (i * 0xC2B2AE3D27D4EB4FL);
    x ^= x >>> 31;
    x *= 0xBF58476D1CE4E5B9L;
    x ^= x >>> 29;
    return (byte) x;
  }

  static byte[] bytes(long seed, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = at(seed, i);
    }
    return b;
  }

  static byte[] range(long seed, long offset, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = at(seed, offset + i);
    }
    return b;
  }

  /** A stream of {@code length} bytes of content {@code seed}, made as it is read. */
  static InputStream stream(long seed, long length) {
    return new InputStream() {
      long pos;

      @Override
      public int read() {
        return pos < length ? at(seed, pos++) & 0xFF : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (pos >= length) {
          return -1;
        }
        int n = (int) Math.min(len, length - pos);
        for (int i = 0; i < n; i++) {
          b[off + i] = at(seed, pos++);
        }
        return n;
      }
    };
  }
}
