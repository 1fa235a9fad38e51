package org.epost.overlay.sim;

import org.epost.overlay.api.RandomSource;

/**
 * One-way network delay between simulated nodes. Each node gets a position when it is created
 * ({@link #place}); the delay is a function of the two positions. Implementations are pure and
 * deterministic.
 */
public interface LatencyModel {
  /** Draws a position for a new node; the model decides what the position means. */
  float[] place(RandomSource random);

  /** One-way delay in microseconds between two positions; symmetric, >= 0. */
  long delayMicros(float[] from, float[] to);

  /**
   * Nodes uniformly on a sphere; delay proportional to the great-circle distance, scaled so the
   * mean one-way delay between two random nodes is {@code meanMillis} (FreePastry's sphere model;
   * the maximum is twice the mean).
   */
  static LatencyModel sphere(double meanMillis) {
    return new SphereLatency(meanMillis);
  }
}
