package org.epost.simulator.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.epost.simulator.api.MinuteSample;
import org.epost.simulator.api.RoutingSummary;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

/** Draws the PNG plots of a routing run with XChart (headless). */
final class Plots {

  static final String HOPS = "hops-over-time.png";
  static final String LOSS = "loss-over-time.png";
  static final String HOP_HISTOGRAM = "hops-histogram.png";
  static final String STRETCH = "stretch-distribution.png";
  static final String STRETCH_OVER_TIME = "stretch-over-time.png";

  private Plots() {}

  static String settings(RoutingSummary summary) {
    return summary.config().nodes()
        + " nodes, "
        + Charts.churn(summary.config().sessionMean())
        + ", "
        + Charts.rate(summary.config().lookupsPerSecond())
        + " lookups/s, seed "
        + summary.config().seed();
  }

  static void write(RoutingSummary summary, Path dir) throws IOException {
    List<Integer> minutes = new ArrayList<>();
    List<Double> hops = new ArrayList<>();
    List<Integer> stretchMinutes = new ArrayList<>();
    List<Double> stretch = new ArrayList<>();
    List<Double> loss = new ArrayList<>();
    List<Double> wrong = new ArrayList<>();
    for (MinuteSample s : summary.series()) {
      minutes.add(s.minute());
      hops.add(Double.isNaN(s.hopsAvg()) ? 0 : s.hopsAvg());
      loss.add(s.lookups() == 0 ? 0 : (double) s.lost() / s.lookups());
      wrong.add(s.lookups() == 0 ? 0 : (double) s.wrongRoot() / s.lookups());
      if (!Double.isNaN(s.rdpRatioOfMeans())) {
        stretchMinutes.add(s.minute());
        stretch.add(s.rdpRatioOfMeans());
      }
    }
    String settings = settings(summary);

    XYChart hopChart =
        Charts.xy(
            Charts.title("Average overlay hops of delivered lookups per minute", settings),
            Charts.MINUTE_AXIS,
            "hops (average)");
    hopChart.getStyler().setLegendVisible(false);
    if (!minutes.isEmpty()) {
      Charts.line(hopChart, "hops", minutes, hops);
    }
    Charts.save(hopChart, dir, HOPS);

    XYChart lossChart =
        Charts.xy(
            Charts.title("Lost and wrong-root lookups per minute of issue", settings),
            Charts.MINUTE_AXIS,
            "fraction of lookups issued");
    if (!minutes.isEmpty()) {
      Charts.line(lossChart, "lost", minutes, loss);
      Charts.line(lossChart, "wrong root", minutes, wrong);
      List<Double> both = new ArrayList<>(loss);
      both.addAll(wrong);
      Charts.fractionAxis(lossChart, both);
    }
    Charts.save(lossChart, dir, LOSS);

    long[] histogram = summary.hopHistogram();
    int last = histogram.length - 1;
    while (last > 0 && histogram[last] == 0) {
      last--;
    }
    List<Integer> x = new ArrayList<>();
    List<Long> y = new ArrayList<>();
    for (int h = 0; h <= last; h++) {
      x.add(h);
      y.add(histogram[h]);
    }
    CategoryChart histChart =
        Charts.bars(Charts.title("Overlay hops of delivered lookups", settings), "hops", "lookups");
    histChart.addSeries("lookups", x, y);
    Charts.save(histChart, dir, HOP_HISTOGRAM);

    // Stretch (relative delay penalty): route latency over the direct source-to-root latency.
    double[] pct = summary.rdpPercentiles();
    XYChart cdf =
        Charts.xy(
            Charts.title("Stretch of each lookup (route / direct latency), cumulative", settings),
            "stretch",
            "% of lookups with at most this stretch");
    Charts.cumulative(cdf, "stretch (1 = as fast as the direct path)", pct);
    Charts.save(cdf, dir, STRETCH);

    XYChart overTime =
        Charts.xy(
            Charts.title("Stretch per minute (sum of route / sum of direct latencies)", settings),
            Charts.MINUTE_AXIS,
            "stretch (ratio of means)");
    overTime.getStyler().setLegendVisible(false);
    if (!stretchMinutes.isEmpty()) {
      Charts.line(overTime, "stretch", stretchMinutes, stretch);
    }
    Charts.save(overTime, dir, STRETCH_OVER_TIME);
  }
}
