package org.epost.simulator.mail;

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
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * Writes summary.json, hourly.csv, delivery-distribution.csv and the PNG plots of a mail run
 * (deliveries over time, delivery delay distributions, traffic by kind).
 */
final class MailReport {
  static final String SUMMARY = "summary.json";
  static final String HOURLY = "hourly.csv";
  static final String DISTRIBUTION = "delivery-distribution.csv";

  private static final String[] TRAFFIC = {
    "store_payload", "repair", "digest", "audit", "notification", "pending", "overlay",
  };

  private MailReport() {}

  static void write(MailSummary s, Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(SUMMARY), Json.write(s.fields()), StandardCharsets.UTF_8);
      StringBuilder csv =
          new StringBuilder(
              "hour,live_nodes,messages_sent,deliveries_acknowledged,deliveries_filed,"
                  + "deliveries_waiting,past_bytes,pending_bytes,notification_bytes\n");
      for (long[] r : s.hourly()) {
        for (int i = 0; i < r.length; i++) {
          csv.append(r[i]).append(i == r.length - 1 ? '\n' : ',');
        }
      }
      Files.writeString(dir.resolve(HOURLY), csv, StandardCharsets.UTF_8);
      StringBuilder d =
          new StringBuilder("percentile,online_delivery_seconds,return_to_delivery_seconds\n");
      for (int p = 0; p <= 100; p++) {
        d.append(p)
            .append(',')
            .append(at(s.onlineDelivery(), p))
            .append(',')
            .append(at(s.returnDelivery(), p))
            .append('\n');
      }
      Files.writeString(dir.resolve(DISTRIBUTION), d, StandardCharsets.UTF_8);
      plots(s, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the run's outputs to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String at(double[] values, int p) {
    return values.length == 0 ? "" : String.format(Locale.ROOT, "%.3f", values[p]);
  }

  private static double number(Map<String, Object> f, String key) {
    return ((Number) f.get(key)).doubleValue();
  }

  private static String settings(Map<String, Object> f) {
    double fraction = number(f, "correlated_failure_fraction");
    return f.get("users")
        + " users, "
        + Charts.rate(number(f, "messages_per_user_per_day"))
        + " msg/user/day, session "
        + Charts.shortDuration(Duration.ofMillis((long) (number(f, "session_mean_seconds") * 1000)))
        + ", "
        + Charts.percent(number(f, "departures_per_day"))
        + "/day leave"
        + (fraction > 0
            ? ", "
                + Charts.percent(fraction)
                + " fail at "
                + Charts.rate(number(f, "correlated_failure_at_seconds") / 3600)
                + "h"
            : "")
        + ", "
        + Charts.percent(number(f, "byzantine"))
        + " byzantine, seed "
        + f.get("seed");
  }

  private static void plots(MailSummary s, Path dir) throws IOException {
    Map<String, Object> f = s.fields();
    String settings = settings(f);
    if (!s.hourly().isEmpty()) {
      List<Long> hours = new ArrayList<>();
      List<Long> acked = new ArrayList<>();
      List<Long> filed = new ArrayList<>();
      List<Long> waiting = new ArrayList<>();
      long prevAcked = 0;
      long prevFiled = 0;
      for (long[] r : s.hourly()) {
        hours.add(r[0]);
        acked.add(r[3] - prevAcked);
        filed.add(r[4] - prevFiled);
        waiting.add(r[5]);
        prevAcked = r[3];
        prevFiled = r[4];
      }
      XYChart a =
          Charts.xy(
              Charts.title("Deliveries per hour", settings),
              Charts.HOUR_AXIS,
              "deliveries (message x recipient)");
      Charts.line(a, "acknowledged to the sender", hours, acked);
      Charts.line(a, "filed in the recipient's INBOX", hours, filed);
      Charts.line(a, "acknowledged, waiting (end of hour)", hours, waiting);
      a.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
      double fraction = number(f, "correlated_failure_fraction");
      if (fraction > 0) {
        double top = 1;
        for (int i = 0; i < hours.size(); i++) {
          top = Math.max(top, Math.max(acked.get(i), Math.max(filed.get(i), waiting.get(i))));
        }
        Charts.marker(
            a,
            "correlated failure: " + Charts.percent(fraction),
            number(f, "correlated_failure_at_seconds") / 3600,
            top);
      }
      Charts.save(a, dir, "deliveries.png");
    }
    if (s.onlineDelivery().length > 0) {
      XYChart b =
          Charts.xy(
              Charts.title("Delivery delay to online recipients", settings),
              "seconds from the notification's send to the recipient",
              "percent of deliveries");
      Charts.cumulative(b, "seconds from send to the recipient", s.onlineDelivery());
      Charts.save(b, dir, "delivery-online.png");
    }
    if (s.returnDelivery().length > 0) {
      XYChart c =
          Charts.xy(
              Charts.title("Delay from a recipient's return to delivery", settings),
              "seconds from the recipient's node starting again",
              "percent of deliveries");
      Charts.cumulative(c, "seconds from the recipient's return", s.returnDelivery());
      Charts.save(c, dir, "delivery-return.png");
    }
    CategoryChart t =
        Charts.bars(
            Charts.title("Traffic per node by kind", settings), "kind", "bytes per node per s");
    List<String> names = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (String k : TRAFFIC) {
      names.add(k);
      values.add(number(f, k + "_bytes_per_node_per_s"));
    }
    t.addSeries("bytes per node per s", names, values);
    t.getStyler().setLegendVisible(false);
    Charts.save(t, dir, "traffic.png");
  }
}
