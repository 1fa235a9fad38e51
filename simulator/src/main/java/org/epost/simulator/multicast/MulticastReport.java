package org.epost.simulator.multicast;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.epost.simulator.report.Json;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * Writes a multicast run's outputs into one directory: {@code summary.json}, {@code timeseries.csv}
 * (per minute of measurement), {@code depth-histogram.csv}, and the PNG plots {@code
 * delivery-over-time.png} and {@code depth-histogram.png}.
 */
public final class MulticastReport {
  public static final String SUMMARY = "summary.json";
  public static final String SERIES = "timeseries.csv";
  public static final String DEPTHS = "depth-histogram.csv";
  public static final String DELIVERY_PLOT = "delivery-over-time.png";
  public static final String DEPTH_PLOT = "depth-histogram.png";

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

  private static void plots(MulticastSummary s, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    String title =
        s.config.nodes()
            + " nodes, "
            + s.config.topics()
            + " topics x "
            + s.config.subscribers()
            + ", session mean "
            + s.config
                .sessionMean()
                .map(d -> d.toString().substring(2).toLowerCase(Locale.ROOT))
                .orElse("none")
            + ", seed "
            + s.config.seed();
    List<Double> x = new ArrayList<>();
    List<Double> ratio = new ArrayList<>();
    List<DeliveryTracker.Totals> minutes = s.tracker.minutes;
    for (int i = 0; i < minutes.size(); i++) {
      x.add(i + 1.0);
      double r = minutes.get(i).ratio();
      ratio.add(Double.isNaN(r) ? 1.0 : r);
    }
    if (x.isEmpty()) {
      x.add(0.0);
      ratio.add(1.0);
    }
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title("Delivery ratio per minute of publication (" + title + ")")
            .xAxisTitle("minute of measurement")
            .yAxisTitle("delivered / expected")
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.addSeries("delivery ratio", x, ratio);
    BitmapEncoder.saveBitmap(
        chart, dir.resolve(DELIVERY_PLOT).toString(), BitmapEncoder.BitmapFormat.PNG);

    long[] h = s.tracker.depthHistogram;
    List<Integer> depths = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    for (int d = 0; d <= lastNonZero(h); d++) {
      depths.add(d);
      counts.add(h[d]);
    }
    CategoryChart hist =
        new CategoryChartBuilder()
            .width(900)
            .height(500)
            .title("Tree depth of delivering subscribers (" + title + ")")
            .xAxisTitle("depth (tree hops from the root)")
            .yAxisTitle("deliveries")
            .build();
    hist.getStyler().setLegendVisible(false);
    hist.addSeries("deliveries", depths, counts);
    BitmapEncoder.saveBitmap(
        hist, dir.resolve(DEPTH_PLOT).toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
