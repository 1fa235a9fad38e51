package org.epost.simulator.report;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The look every experiment's PNG plots share: the run's settings in the title, value axes from
 * zero, the same axis names as the CSV columns, drawn headless.
 */
public final class Charts {

  /** Axis title for per-minute series: the CSV column {@code minute}, 0 = first minute. */
  public static final String MINUTE_AXIS = "minute (0 = first minute of measurement)";

  /** Axis title for per-hour series: the CSV column {@code hour}, 0 = first hour of churn. */
  public static final String HOUR_AXIS = "hour (0 = first hour of churn)";

  private static final int WIDTH = 1100;
  private static final int HEIGHT = 550;

  private Charts() {}

  /** "what | settings" as one title line. */
  public static String title(String what, String settings) {
    return what + "  |  " + settings;
  }

  /** A duration as people write it: 10m, 1h, 90s, or "none" for a quiet ring. */
  public static String churn(Optional<Duration> sessionMean) {
    return sessionMean.map(d -> "session mean " + shortDuration(d)).orElse("no churn");
  }

  /** 10m, 1h, 1.5h, 90s, 250ms. */
  public static String shortDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0 && ms > 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0 && ms > 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0 && ms > 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /** A line chart whose y axis starts at zero. */
  public static XYChart xy(String title, String xAxis, String yAxis) {
    XYChart c =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xAxis)
            .yAxisTitle(yAxis)
            .build();
    style(c.getStyler());
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    return c;
  }

  /** A bar chart (bars start at zero). */
  public static CategoryChart bars(String title, String xAxis, String yAxis) {
    CategoryChart c =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xAxis)
            .yAxisTitle(yAxis)
            .build();
    style(c.getStyler());
    c.getStyler().setLegendVisible(false);
    return c;
  }

  private static void style(Styler s) {
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    s.setChartBackgroundColor(Color.WHITE);
  }

  /**
   * A ratio axis: from 0 to 1, or to a little above the largest value when every value is small, so
   * that small fractions stay visible while the axis still starts at zero.
   */
  public static void fractionAxis(XYChart c, List<? extends Number> values) {
    double max = values.stream().mapToDouble(Number::doubleValue).max().orElse(0);
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setYAxisMax(max > 0.5 || max == 0 ? 1.0 : Math.min(1.0, niceCeiling(max * 1.2)));
  }

  private static double niceCeiling(double x) {
    double p = Math.pow(10, Math.floor(Math.log10(x)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= x) {
        return m * p;
      }
    }
    return 10 * p;
  }

  /**
   * A cumulative distribution from the values at percentiles 0..100: y in percent from 0 to 100, x
   * from 0 to a little above the 99th percentile so that a long tail does not squash the curve; the
   * x axis title then says where the largest value lies.
   */
  public static void cumulative(XYChart c, String xAxis, double[] atPercentile) {
    c.setXAxisTitle(xAxis);
    c.getStyler().setLegendVisible(false);
    c.getStyler().setXAxisMin(0.0);
    c.getStyler().setYAxisMax(100.0);
    c.getStyler().setYAxisTickMarkSpacingHint(150);
    if (atPercentile.length == 0) {
      return;
    }
    double p99 = atPercentile[99];
    double max = atPercentile[100];
    double right = niceCeiling(Math.max(p99 * 1.25, 1e-9));
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int p = 0; p < atPercentile.length; p++) {
      if (atPercentile[p] <= right) {
        x.add(atPercentile[p]);
        y.add((double) p);
      }
    }
    if (max > right) {
      c.setXAxisTitle(
          xAxis
              + String.format(
                  Locale.ROOT,
                  "   (cut at %s; the largest value is %s)",
                  number(right),
                  number(max)));
      c.getStyler().setXAxisMax(right);
    }
    c.addSeries("cumulative", x, y).setMarker(SeriesMarkers.NONE);
  }

  private static String number(double x) {
    if (x == Math.rint(x) || Math.abs(x) >= 100) {
      return String.format(Locale.ROOT, "%,.0f", x);
    }
    return String.format(Locale.ROOT, "%.3g", x);
  }

  /** A rate for a title: 10.0 → "10", 0.5 → "0.5". */
  public static String rate(double r) {
    return number(r);
  }

  /**
   * A dashed vertical line at {@code x} from 0 to {@code top}, named in the legend: marks an event
   * (a correlated failure) on a time axis.
   */
  public static void marker(XYChart c, String name, double x, double top) {
    XYSeries s = c.addSeries(name, new double[] {x, x}, new double[] {0, top});
    s.setMarker(SeriesMarkers.NONE);
    s.setLineStyle(SeriesLines.DASH_DASH);
    s.setLineColor(Color.RED);
    c.getStyler().setLegendVisible(true);
  }

  /** Plain series: a line with small markers. */
  public static XYSeries line(
      XYChart c, String name, List<? extends Number> x, List<? extends Number> y) {
    XYSeries s = c.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.CIRCLE);
    return s;
  }

  /** Writes {@code chart} as {@code dir/name}. */
  public static void save(Chart<?, ?> chart, Path dir, String name) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BitmapEncoder.saveBitmap(chart, dir.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** A number for a title: 0.3 → "30%". */
  public static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
  }
}
