package org.epost.simulator.storage;

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
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Writes summary.json, hourly.csv and two PNG plots of a storage run. */
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
        csv.append(r[0])
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

  private static void plots(StorageSummary s, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Double> hours = new ArrayList<>();
    List<Double> availability = new ArrayList<>();
    List<Double> replicas = new ArrayList<>();
    List<Double> repairKb = new ArrayList<>();
    long prevRepair = 0;
    for (long[] r : s.hourly()) {
      hours.add((double) r[0]);
      availability.add(r[2] == 0 ? 1.0 : 1.0 - (double) r[3] / r[2]);
      replicas.add(r[6] / 1000.0);
      repairKb.add((r[4] - prevRepair) / 1024.0);
      prevRepair = r[4];
    }
    if (hours.isEmpty()) {
      return;
    }
    XYChart a =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title("Lookup availability and live honest replicas per hour")
            .xAxisTitle("simulated hour")
            .yAxisTitle("fraction / replicas")
            .build();
    a.addSeries("availability", hours, availability);
    a.addSeries("live replicas (avg) / 10", hours, replicas.stream().map(x -> x / 10).toList());
    BitmapEncoder.saveBitmap(
        a, dir.resolve("availability.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    XYChart b =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title("Repair traffic per simulated hour (KiB, whole ring)")
            .xAxisTitle("simulated hour")
            .yAxisTitle("KiB")
            .build();
    b.getStyler().setLegendVisible(false);
    b.addSeries("repair", hours, repairKb);
    BitmapEncoder.saveBitmap(
        b, dir.resolve("repair.png").toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
