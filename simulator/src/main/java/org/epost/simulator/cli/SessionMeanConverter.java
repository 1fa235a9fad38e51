package org.epost.simulator.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Parses {@code --session-mean}: a duration, or {@code none} for a ring without churn. */
public final class SessionMeanConverter {

  private SessionMeanConverter() {}

  public static Optional<Duration> parse(String value) {
    if (value != null && value.trim().toLowerCase(Locale.ROOT).equals("none")) {
      return Optional.empty();
    }
    Duration d = DurationConverter.parse(value);
    if (d.isZero()) {
      throw new IllegalArgumentException("--session-mean must be positive, or 'none' for no churn");
    }
    return Optional.of(d);
  }
}
