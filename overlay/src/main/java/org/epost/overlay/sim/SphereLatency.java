package org.epost.overlay.sim;

import org.epost.overlay.api.RandomSource;

/** Great-circle distance on a unit sphere; mean angle between two uniform points is pi/2. */
final class SphereLatency implements LatencyModel {
  private final double microsPerRadian;

  SphereLatency(double meanMillis) {
    if (!(meanMillis > 0)) {
      throw new IllegalArgumentException("mean latency must be positive: " + meanMillis);
    }
    this.microsPerRadian = meanMillis * 1000.0 / (Math.PI / 2);
  }

  @Override
  public float[] place(RandomSource random) {
    // Uniform on the sphere: z uniform in [-1,1], longitude uniform.
    double z = 2 * random.nextDouble() - 1;
    double phi = 2 * Math.PI * random.nextDouble();
    double r = Math.sqrt(1 - z * z);
    return new float[] {(float) (r * Math.cos(phi)), (float) (r * Math.sin(phi)), (float) z};
  }

  @Override
  public long delayMicros(float[] a, float[] b) {
    double dot = (double) a[0] * b[0] + (double) a[1] * b[1] + (double) a[2] * b[2];
    double angle = Math.acos(Math.max(-1.0, Math.min(1.0, dot)));
    return Math.round(angle * microsPerRadian);
  }
}
