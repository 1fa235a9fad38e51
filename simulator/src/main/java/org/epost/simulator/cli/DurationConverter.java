package org.epost.simulator.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses simulated durations written as a number and a unit: {@code 250ms}, {@code 90s}, {@code
 * 15m}, {@code 2h}, {@code 1d}; decimals allowed ({@code 1.5h}); a bare number means seconds.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

  /** Longest accepted duration: a year of simulated time. */
  public static final Duration MAX = Duration.ofDays(366);

  private static final int MAX_TEXT = 32;
  private static final Pattern SYNTAX =
      Pattern.compile("(\\d{1,12}(?:\\.\\d{1,9})?)\\s*(ms|s|m|h|d)?");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /**
   * @throws IllegalArgumentException with the accepted syntax, if {@code text} is not a duration or
   *     exceeds {@link #MAX}
   */
  public static Duration parse(String text) {
    if (text == null || text.length() > MAX_TEXT) {
      throw invalid(
          text == null ? "null" : text.substring(0, Math.min(text.length(), MAX_TEXT)) + "...");
    }
    Matcher m = SYNTAX.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw invalid(text);
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double nanosPerUnit =
        switch (unit) {
          case "ms" -> 1e6;
          case "s" -> 1e9;
          case "m" -> 60e9;
          case "h" -> 3600e9;
          case "d" -> 86400e9;
          default -> throw invalid(text);
        };
    double nanos = amount * nanosPerUnit;
    if (nanos > MAX.toNanos()) {
      throw new IllegalArgumentException(
          "duration '" + text + "' is longer than the limit of 366 days");
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  /** Formats a duration the way {@link #parse} reads it, in the largest exact unit. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "'"
            + text
            + "' is not a duration: write a number and a unit, e.g. 250ms, 90s, 15m, 2h or 1d");
  }
}
