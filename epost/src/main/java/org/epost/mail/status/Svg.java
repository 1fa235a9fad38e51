package org.epost.mail.status;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG plots for the status page: no script, no external asset, sized by a {@code viewBox} so
 * they scale with the page. Every label is HTML-escaped.
 */
final class Svg {
  private static final int W = 640;
  private static final int H = 200;
  private static final int LEFT = 48;
  private static final int BOTTOM = 36;
  private static final int TOP = 12;

  private Svg() {}

  /** A bar chart of {@code values} with one label under each bar. */
  static String bars(String id, String title, List<String> labels, long[] values) {
    long max = 1;
    for (long v : values) {
      max = Math.max(max, v);
    }
    int n = values.length;
    double slot = (W - LEFT - 8) / (double) Math.max(1, n);
    StringBuilder sb = open(id, title, max);
    for (int i = 0; i < n; i++) {
      double h = (H - BOTTOM - TOP) * (values[i] / (double) max);
      double x = LEFT + i * slot + slot * 0.15;
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s: %d</title></rect>",
              x,
              H - BOTTOM - h,
              slot * 0.7,
              h,
              Html.escape(labels.get(i)),
              values[i]));
      sb.append(
          String.format(
              Locale.ROOT,
              "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
              x + slot * 0.35,
              H - BOTTOM + 14,
              Html.escape(labels.get(i))));
      if (values[i] > 0) {
        sb.append(
            String.format(
                Locale.ROOT,
                "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>",
                x + slot * 0.35,
                H - BOTTOM - h - 3,
                values[i]));
      }
    }
    return sb.append("</svg>").toString();
  }

  /**
   * Lines over time: {@code series[k][i]} is series {@code k} in slot {@code i} (oldest first);
   * {@code names[k]} its legend, {@code startLabel}/{@code endLabel} under the axis ends.
   */
  static String lines(
      String id,
      String title,
      String[] names,
      long[][] series,
      String startLabel,
      String endLabel) {
    long max = 1;
    int n = 0;
    for (long[] s : series) {
      n = Math.max(n, s.length);
      for (long v : s) {
        max = Math.max(max, v);
      }
    }
    StringBuilder sb = open(id, title, max);
    double step = (W - LEFT - 8) / (double) Math.max(1, n - 1);
    for (int k = 0; k < series.length; k++) {
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < series[k].length; i++) {
        double y = H - BOTTOM - (H - BOTTOM - TOP) * (series[k][i] / (double) max);
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + i * step, y));
      }
      sb.append("<polyline class=\"s")
          .append(k)
          .append("\" fill=\"none\" points=\"")
          .append(pts.toString().trim())
          .append("\"/>");
      sb.append(
          String.format(
              Locale.ROOT,
              "<text class=\"legend s%dt\" x=\"%d\" y=\"%d\">%s</text>",
              k,
              LEFT + 8 + k * 160,
              H - 4,
              Html.escape(names[k])));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<text class=\"tick\" x=\"%d\" y=\"%d\">%s</text>",
            LEFT,
            H - BOTTOM + 14,
            Html.escape(startLabel)));
    sb.append(
        String.format(
            Locale.ROOT,
            "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
            W - 8,
            H - BOTTOM + 14,
            Html.escape(endLabel)));
    return sb.append("</svg>").toString();
  }

  private static StringBuilder open(String id, String title, long max) {
    StringBuilder sb = new StringBuilder();
    sb.append("<svg id=\"")
        .append(id)
        .append("\" class=\"plot\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(H)
        .append("\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>")
        .append(Html.escape(title))
        .append("</title>");
    sb.append(
        String.format(
            Locale.ROOT,
            "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                + "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
            LEFT,
            TOP,
            LEFT,
            H - BOTTOM,
            LEFT,
            H - BOTTOM,
            W - 8,
            H - BOTTOM));
    sb.append(
        String.format(
            Locale.ROOT,
            "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>"
                + "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>",
            LEFT - 4,
            TOP + 8,
            max,
            LEFT - 4,
            H - BOTTOM));
    return sb;
  }
}
