package org.epost.crypto.keyfile;

/**
 * scrypt cost parameters stored in each key file: N = 2^logN, block size r, parallelism p. Memory
 * use is 128 * r * N bytes.
 */
public record ScryptParameters(int logN, int r, int p) {
  /** N = 2^15, r = 8, p = 1: 32 MiB, about 0.1 s here (the usual interactive setting). */
  public static final ScryptParameters DEFAULT = new ScryptParameters(15, 8, 1);

  /** Most memory a key file may ask for (1 GiB), so a hostile file cannot exhaust memory. */
  static final long MAX_MEMORY = 1L << 30;

  /** Validates the ranges a reader accepts. */
  public ScryptParameters {
    if (logN < 10
        || logN > 24
        || r < 1
        || r > 32
        || p < 1
        || p > 16
        || 128L * r * (1L << logN) > MAX_MEMORY) {
      throw new IllegalArgumentException(
          "scrypt parameters out of range: logN 10..24, r 1..32, p 1..16, memory <= 1 GiB");
    }
  }
}
