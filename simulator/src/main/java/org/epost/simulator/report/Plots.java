package org.epost.simulator.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.epost.simulator.api.MinuteSample;
import org.epost.simulator.api.RoutingSummary;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Draws the PNG plots of a routing run with XChart (headless). */
final class Plots {

  static final String HOPS = "hops-over-time.png";
  static final String LOSS = "loss-over-time.png";
  static final String HOP_HISTOGRAM = "hops-histogram.png";

  private Plots() {}

  static void write(RoutingSummary summary, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Double> minutes = new ArrayList<>();
    List<Double> hops = new ArrayList<>();
    List<Double> loss = new ArrayList<>();
    List<Double> wrong = new ArrayList<>();
    for (MinuteSample s : summary.series()) {
      minutes.add((double) s.minute() + 1);
      hops.add(Double.isNaN(s.hopsAvg()) ? 0 : s.hopsAvg());
      loss.add(s.lookups() == 0 ? 0 : (double) s.lost() / s.lookups());
      wrong.add(s.lookups() == 0 ? 0 : (double) s.wrongRoot() / s.lookups());
    }
    String title =
        summary.config().nodes()
            + " nodes, session mean "
            + summary
                .config()
                .sessionMean()
                .map(d -> d.toString().substring(2).toLowerCase())
                .orElse("none")
            + ", seed "
            + summary.config().seed();

    XYChart hopChart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title("Average hops per simulated minute (" + title + ")")
            .xAxisTitle("minute of measurement")
            .yAxisTitle("hops")
            .build();
    hopChart.getStyler().setLegendVisible(false);
    hopChart.addSeries("hops", minutes, hops);
    BitmapEncoder.saveBitmap(
        hopChart, dir.resolve(HOPS).toString(), BitmapEncoder.BitmapFormat.PNG);

    XYChart lossChart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title("Lookup loss and wrong root per simulated minute (" + title + ")")
            .xAxisTitle("minute of measurement")
            .yAxisTitle("fraction of lookups")
            .build();
    lossChart.addSeries("lost", minutes, loss);
    lossChart.addSeries("wrong root", minutes, wrong);
    BitmapEncoder.saveBitmap(
        lossChart, dir.resolve(LOSS).toString(), BitmapEncoder.BitmapFormat.PNG);

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
        new CategoryChartBuilder()
            .width(900)
            .height(500)
            .title("Hops of delivered lookups (" + title + ")")
            .xAxisTitle("hops")
            .yAxisTitle("lookups")
            .build();
    histChart.getStyler().setLegendVisible(false);
    histChart.addSeries("lookups", x, y);
    BitmapEncoder.saveBitmap(
        histChart, dir.resolve(HOP_HISTOGRAM).toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
