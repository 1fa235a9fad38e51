package org.epost.simulator.cli;

import java.time.Duration;

/**
 * The {@code --correlated-failure FRACTION@TIME} option of the churn experiments: the fraction of
 * live nodes that fail at once, and when (after the churn starts).
 */
public record CorrelatedFailure(double fraction, Duration at) {
  /**
   * Parses {@code FRACTION@TIME}, e.g. {@code 0.3@3d}; {@code TIME} 0 means at the start.
   *
   * @throws IllegalArgumentException with a message naming the expected form
   */
  public static CorrelatedFailure parse(String option) {
    String[] parts = option.split("@", 2);
    if (parts.length != 2) {
      throw new IllegalArgumentException("--correlated-failure is FRACTION@TIME, e.g. 0.3@3d");
    }
    double fraction = Double.parseDouble(parts[0]);
    Duration at = parts[1].equals("0") ? Duration.ZERO : DurationConverter.parse(parts[1]);
    return new CorrelatedFailure(fraction, at);
  }
}
