package org.epost.overlay.api;

import java.security.SecureRandom;

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

  /**
   * Randomness for key material, nonces and anything an attacker must not predict. In real mode the
   * platform's cryptographically strong generator; in a simulation a deterministic generator seeded
   * from the node's seed (so a run repeats; simulated keys are not secret). Drawing from it never
   * changes what {@link #nextLong} and the others return. The same instance on every call.
   */
  SecureRandom secure();
}
