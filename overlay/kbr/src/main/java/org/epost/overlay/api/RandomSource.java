package org.epost.overlay.api;

/**
 * The only source of randomness protocol code may use. Seeded by the environment, so that a
 * simulation with the same seed repeats exactly. Not thread-safe: use on the node's event loop.
 */
public interface RandomSource {
  /** A uniformly random long. */
  long nextLong();

  /** A uniformly random int in [0, bound); bound must be positive. */
  int nextInt(int bound);

  /** A uniformly random double in [0, 1). */
  double nextDouble();
}
