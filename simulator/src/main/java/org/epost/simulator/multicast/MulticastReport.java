package org.epost.simulator.multicast;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.epost.simulator.report.Charts;
import org.epost.simulator.report.Json;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

/**
 * Writes a multicast run's outputs into one directory: {@code summary.json}, {@code timeseries.csv}
 * (per minute of measurement, from 0), {@code depth-histogram.csv}, {@code delay-distribution.csv},
 * and the PNG plots {@code delivery-over-time.png}, {@code depth-histogram.png} and {@code
 * delay-distribution.png}.
 */
public final class MulticastReport {
  public static final String SUMMARY = "summary.json";
  public static final String SERIES = "timeseries.csv";
  public static final String DEPTHS = "depth-histogram.csv";
  public static final String DELIVERY_PLOT = "delivery-over-time.png";
  public static final String DEPTH_PLOT = "depth-histogram.png";
  public static final String DELAYS = "delay-distribution.csv";
  public static final String DELAY_PLOT = "delay-distribution.png";

  private MulticastReport() {}

  /**
   * Writes every file, creating {@code dir} if needed.
   *
   * @throws UncheckedIOException naming the directory that could not be written
   */
  public static void write(MulticastSummary summary, Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve(SUMMARY), Json.write(summary.toFields()), StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve(SERIES), seriesCsv(summary.tracker.minutes), StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve(DEPTHS), depthCsv(summary.tracker.depthHistogram), StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve(DELAYS), delayCsv(summary.tracker.delays), StandardCharsets.UTF_8);
      plots(summary, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the run's outputs to " + dir + ": " + e.getMessage(), e);
    }
  }

  static String seriesCsv(List<DeliveryTracker.Totals> minutes) {
    StringBuilder out =
        new StringBuilder(
            "minute,publications,expected,delivered,delivery_ratio,delay_penalty_avg,tree_depth_avg,link_stress_avg\n");
    for (int i = 0; i < minutes.size(); i++) {
      DeliveryTracker.Totals t = minutes.get(i);
      out.append(i)
          .append(',')
          .append(t.publications)
          .append(',')
          .append(t.expected)
          .append(',')
          .append(t.delivered)
          .append(',')
          .append(number(t.ratio()))
          .append(',')
          .append(number(t.penaltyCount == 0 ? Double.NaN : t.penaltySum / t.penaltyCount))
          .append(',')
          .append(number(t.delivered == 0 ? Double.NaN : (double) t.depthSum / t.delivered))
          .append(',')
          .append(number(t.links == 0 ? Double.NaN : (double) t.linkCopies / t.links))
          .append('\n');
    }
    return out.toString();
  }

  static String depthCsv(long[] histogram) {
    StringBuilder out = new StringBuilder("depth,deliveries\n");
    for (int d = 0; d <= lastNonZero(histogram); d++) {
      out.append(d).append(',').append(histogram[d]).append('\n');
    }
    return out.toString();
  }

  private static int lastNonZero(long[] h) {
    int last = h.length - 1;
    while (last > 0 && h[last] == 0) {
      last--;
    }
    return last;
  }

  private static String number(double d) {
    return Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.6f", d);
  }

  /** {@code percentile,delay_ms}: delivery delay at each percentile 0..100 of delivered copies. */
  static String delayCsv(org.HdrHistogram.Histogram delays) {
    StringBuilder out = new StringBuilder("percentile,delay_ms\n");
    if (delays.getTotalCount() == 0) {
      return out.toString();
    }
    for (int p = 0; p <= 100; p++) {
      long micros = p == 0 ? delays.getMinValue() : delays.getValueAtPercentile(p);
      out.append(p).append(',').append(String.format(Locale.ROOT, "%.3f", micros / 1000.0));
      out.append('\n');
    }
    return out.toString();
  }

  private static void plots(MulticastSummary s, Path dir) throws IOException {
    String settings =
        s.config.nodes()
            + " nodes, "
            + s.config.topics()
            + " topics x "
            + s.config.subscribers()
            + " subscribers, "
            + Charts.rate(s.config.publishPerSecond())
            + " pub/s, "
            + Charts.churn(s.config.sessionMean())
            + ", seed "
            + s.config.seed();
    List<Integer> x = new ArrayList<>();
    List<Double> ratio = new ArrayList<>();
    List<DeliveryTracker.Totals> minutes = s.tracker.minutes;
    for (int i = 0; i < minutes.size(); i++) {
      double r = minutes.get(i).ratio();
      if (!Double.isNaN(r)) { // a minute without publications has no ratio
        x.add(i);
        ratio.add(r);
      }
    }
    XYChart chart =
        Charts.xy(
            Charts.title("Delivery ratio per minute of publication", settings),
            Charts.MINUTE_AXIS,
            "delivered / expected");
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setYAxisMax(1.0);
    if (!x.isEmpty()) {
      Charts.line(chart, "delivery ratio", x, ratio);
    }
    Charts.save(chart, dir, DELIVERY_PLOT);

    long[] h = s.tracker.depthHistogram;
    List<Integer> depths = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    for (int d = 0; d <= lastNonZero(h); d++) {
      depths.add(d);
      counts.add(h[d]);
    }
    CategoryChart hist =
        Charts.bars(
            Charts.title("Tree depth of delivering subscribers", settings),
            "depth (tree hops from the root)",
            "deliveries");
    hist.addSeries("deliveries", depths, counts);
    Charts.save(hist, dir, DEPTH_PLOT);

    org.HdrHistogram.Histogram delays = s.tracker.delays;
    XYChart cdf =
        Charts.xy(
            Charts.title("Delivery delay from publish to delivery, cumulative", settings),
            "delay (ms)",
            "% of delivered copies within this delay");
    double[] ms = new double[0];
    if (delays.getTotalCount() > 0) {
      ms = new double[101];
      for (int p = 0; p <= 100; p++) {
        ms[p] = (p == 0 ? delays.getMinValue() : delays.getValueAtPercentile(p)) / 1000.0;
      }
    }
    Charts.cumulative(cdf, "delay (ms)", ms);
    Charts.save(cdf, dir, DELAY_PLOT);
  }
}
