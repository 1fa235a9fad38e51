package org.epost.simulator.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.epost.simulator.report.Charts;
import org.epost.simulator.report.Json;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * Writes summary.json, hourly.csv and the PNG plots of a storage run (availability, replicas,
 * repair), the correlated failure marked on each.
 */
final class StorageReport {
  static final String SUMMARY = "summary.json";
  static final String HOURLY = "hourly.csv";

  private StorageReport() {}

  static void write(StorageSummary s, Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(SUMMARY), Json.write(s.fields()), StandardCharsets.UTF_8);
      StringBuilder csv =
          new StringBuilder(
              "hour,live_nodes,lookups,lookups_failed,repair_bytes_cumulative,objects_without_live_replica,live_replicas_avg,"
                  + "availability_repair_bytes_cumulative\n");
      for (long[] r : s.hourly()) {
        csv.append(r[0] - 1) // row for hour h covers [h, h+1) hours after the churn starts
            .append(',')
            .append(r[1])
            .append(',')
            .append(r[2])
            .append(',')
            .append(r[3])
            .append(',')
            .append(r[4])
            .append(',')
            .append(r[5])
            .append(',')
            .append(String.format(Locale.ROOT, "%.3f", r[6] / 1000.0))
            .append(',')
            .append(r[7])
            .append('\n');
      }
      Files.writeString(dir.resolve(HOURLY), csv, StandardCharsets.UTF_8);
      plots(s, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the run's outputs to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String settings(Map<String, Object> f) {
    double at = ((Number) f.get("correlated_failure_at_seconds")).doubleValue();
    double fraction = ((Number) f.get("correlated_failure_fraction")).doubleValue();
    return f.get("nodes")
        + " nodes, "
        + f.get("objects")
        + " objects x"
        + f.get("replicas")
        + ", session "
        + Charts.shortDuration(
            Duration.ofMillis(
                (long) (((Number) f.get("session_mean_seconds")).doubleValue() * 1000)))
        + ", "
        + Charts.percent(((Number) f.get("departures_per_day")).doubleValue())
        + "/day leave"
        + (fraction > 0 ? ", " + Charts.percent(fraction) + " fail at " + hours(at) + "h" : "")
        + ", "
        + Charts.percent(((Number) f.get("byzantine")).doubleValue())
        + " byzantine, seed "
        + f.get("seed");
  }

  private static String hours(double seconds) {
    double h = seconds / 3600;
    return h == Math.rint(h) ? String.valueOf((long) h) : String.format(Locale.ROOT, "%.1f", h);
  }

  private static void plots(StorageSummary s, Path dir) throws IOException {
    List<Long> hours = new ArrayList<>();
    List<Double> availability = new ArrayList<>();
    List<Double> replicas = new ArrayList<>();
    List<Double> repairKb = new ArrayList<>();
    long prevRepair = 0;
    for (long[] r : s.hourly()) {
      hours.add(r[0] - 1);
      availability.add(r[2] == 0 ? 1.0 : 1.0 - (double) r[3] / r[2]);
      replicas.add(r[6] / 1000.0);
      repairKb.add((r[4] - prevRepair) / 1024.0);
      prevRepair = r[4];
    }
    if (hours.isEmpty()) {
      return;
    }
    Map<String, Object> f = s.fields();
    String settings = settings(f);
    double fraction = ((Number) f.get("correlated_failure_fraction")).doubleValue();
    double atHours = ((Number) f.get("correlated_failure_at_seconds")).doubleValue() / 3600;
    String failure = "correlated failure: " + Charts.percent(fraction) + " of live nodes";

    XYChart a =
        Charts.xy(
            Charts.title("Lookup availability", settings),
            Charts.HOUR_AXIS,
            "fraction of lookups that succeeded");
    Charts.line(a, "lookup availability", hours, availability);
    a.getStyler().setYAxisMax(1.0);
    a.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    if (fraction > 0) {
      Charts.marker(a, failure, atHours, 1.0);
    }
    Charts.save(a, dir, "availability.png");

    XYChart b =
        Charts.xy(
            Charts.title("Live honest replicas per object", settings),
            Charts.HOUR_AXIS,
            "live honest replicas (average)");
    Charts.line(b, "live honest replicas", hours, replicas);
    b.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    double top = Math.max(1, replicas.stream().mapToDouble(Double::doubleValue).max().orElse(1));
    b.getStyler().setYAxisMax(Math.ceil(top));
    if (fraction > 0) {
      Charts.marker(b, failure, atHours, Math.ceil(top));
    }
    Charts.save(b, dir, "replicas.png");

    XYChart c =
        Charts.xy(
            Charts.title("Repair traffic per hour", settings),
            Charts.HOUR_AXIS,
            "object bytes copied by repair (KiB)");
    Charts.line(c, "repair", hours, repairKb);
    c.getStyler().setLegendVisible(fraction > 0);
    if (fraction > 0) {
      double max = repairKb.stream().mapToDouble(Double::doubleValue).max().orElse(1);
      Charts.marker(c, failure, atHours, Math.max(1, max));
    }
    Charts.save(c, dir, "repair.png");
  }
}
