package org.epost.simulator.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.epost.simulator.api.MinuteSample;
import org.epost.simulator.api.RoutingSummary;

/**
 * Writes the outputs of a routing run into one directory: {@code summary.json}, {@code
 * timeseries.csv}, {@code hops-histogram.csv}, {@code stretch.csv} and the PNG plots.
 */
public final class RunReport {

  public static final String SUMMARY = "summary.json";
  public static final String SERIES = "timeseries.csv";
  public static final String HOP_HISTOGRAM = "hops-histogram.csv";
  public static final String STRETCH = "stretch.csv";

  private RunReport() {}

  /**
   * Writes every output file, creating {@code dir} if needed.
   *
   * @throws UncheckedIOException with the file that could not be written
   */
  public static void write(RoutingSummary summary, Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve(SUMMARY), Json.write(summary.toFields()), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve(SERIES), seriesCsv(summary.series()), StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve(HOP_HISTOGRAM), hopCsv(summary.hopHistogram()), StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve(STRETCH), stretchCsv(summary.rdpPercentiles()), StandardCharsets.UTF_8);
      Plots.write(summary, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the run's outputs to " + dir + ": " + e.getMessage(), e);
    }
  }

  static String seriesCsv(List<MinuteSample> series) {
    StringBuilder out =
        new StringBuilder(
            "minute,lookups,lost,wrong_root,hops_avg,rdp_ratio_of_means,control_msgs,live_nodes\n");
    for (MinuteSample s : series) {
      out.append(s.minute())
          .append(',')
          .append(s.lookups())
          .append(',')
          .append(s.lost())
          .append(',')
          .append(s.wrongRoot())
          .append(',')
          .append(number(s.hopsAvg()))
          .append(',')
          .append(number(s.rdpRatioOfMeans()))
          .append(',')
          .append(s.controlMessages())
          .append(',')
          .append(s.liveNodes())
          .append('\n');
    }
    return out.toString();
  }

  static String hopCsv(long[] histogram) {
    StringBuilder out = new StringBuilder("hops,lookups\n");
    int last = histogram.length - 1;
    while (last > 0 && histogram[last] == 0) {
      last--;
    }
    for (int h = 0; h <= last; h++) {
      out.append(h).append(',').append(histogram[h]).append('\n');
    }
    return out.toString();
  }

  /** {@code percentile,stretch}: the stretch at each percentile 0..100 of measured lookups. */
  static String stretchCsv(double[] percentiles) {
    StringBuilder out = new StringBuilder("percentile,stretch\n");
    for (int p = 0; p < percentiles.length; p++) {
      out.append(p).append(',').append(number(percentiles[p])).append('\n');
    }
    return out.toString();
  }

  private static String number(double d) {
    return Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.4f", d);
  }
}
