package org.epost.mail.status;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.epost.mail.submit.DeliveryLedger;
import org.epost.mail.submit.DeliveryState;
import org.epost.mail.submit.RecipientState;
import org.epost.post.api.LogStatus;

/**
 * The status page's three views as HTML: {@code /} (health, storage, alarms, accounts), {@code
 * /deliveries} (waiting, in flight, failed, recent with latency, latency histogram) and {@code
 * /ring} (traffic over the last day, PAST, Scribe and transport counters). Inline CSS and SVG only;
 * every figure a test or a person looks for has an {@code id}.
 */
final class Pages {
  /** Recent deliveries listed on {@code /deliveries}. */
  static final int RECENT = 50;

  /** Upper bounds (ms) of the latency histogram's buckets; the last bucket is open. */
  static final long[] LATENCY_BOUNDS = {250, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000};

  static final List<String> LATENCY_LABELS =
      List.of("<0.25s", "<0.5s", "<1s", "<2s", "<5s", "<10s", "<30s", "<60s", ">=60s");

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  /** The views, by path. */
  static final List<String> VIEWS = List.of("/", "/deliveries", "/ring");

  private Pages() {}

  /** What one page shows, gathered once per request. */
  record View(
      NodeFigures node,
      String nodeError,
      List<StatusSource.AccountView> accounts,
      long[][] traffic,
      long nowMillis,
      long ringSize) {}

  static String overview(View v) {
    StringBuilder b = head("Overview", "/");
    NodeFigures n = v.node();
    String health = health(v);
    b.append("<section><h2>Node</h2><table>");
    row(b, "health", "Health", "<span class=\"badge " + health + "\">" + health + "</span>");
    if (!v.nodeError().isEmpty()) {
      row(b, "node-error", "Node", Html.escape(v.nodeError()));
    }
    row(b, "node-id", "Node id", Html.escape(n.nodeId));
    row(b, "node-address", "Address", Html.escape(n.nodeAddress));
    row(b, "ring-joined", "Ring", n.ready ? "joined" : "not joined");
    row(b, "ring-size", "Ring size (estimate)", Long.toString(v.ringSize()));
    row(b, "leaf-set", "Leaf set", n.leafIds.size() + " members");
    row(b, "routing-entries", "Routing table", n.routingEntries + " entries");
    row(b, "phase", "Daemon", Html.escape(n.daemon.getOrDefault("phase", "?").replace('-', ' ')));
    row(b, "uptime", "Up", duration(NodeFigures.number(n.daemon, "uptime") * 1000));
    row(
        b,
        "heap",
        "Heap used / max",
        mib(NodeFigures.number(n.jvm, "heapUsed"))
            + " / "
            + mib(NodeFigures.number(n.jvm, "heapMax")));
    b.append("</table></section>");

    long used = NodeFigures.number(n.past, "bytes");
    long quota = NodeFigures.number(n.past, "quota");
    b.append("<section><h2>Storage lent to the ring</h2><table>");
    row(
        b,
        "storage-used",
        "Used",
        mib(used) + " (" + NodeFigures.number(n.past, "objects") + " objects)");
    row(b, "storage-quota", "Quota", mib(quota));
    b.append("</table>");
    double pct = quota <= 0 ? 0 : Math.min(100.0, 100.0 * used / quota);
    b.append(
        String.format(
            Locale.ROOT,
            "<div class=\"meter\" id=\"storage-meter\"><div style=\"width:%.2f%%\"></div></div>"
                + "<p class=\"small\">%.2f %% of the quota</p>",
            pct,
            pct));
    b.append("</section>");

    b.append("<section><h2>Alarms</h2>");
    List<String> alarms = alarms(v);
    if (alarms.isEmpty()) {
      b.append("<p id=\"alarms\" class=\"ok\">No equivocation, rollback or corruption seen.</p>");
    } else {
      b.append("<ul id=\"alarms\" class=\"alarm\">");
      for (String a : alarms) {
        b.append("<li>").append(Html.escape(a)).append("</li>");
      }
      b.append("</ul>");
    }
    b.append("</section>");

    b.append(
        "<section><h2>Accounts</h2><table><tr><th>Address</th><th>State</th><th>Outbox</th></tr>");
    for (StatusSource.AccountView a : v.accounts()) {
      b.append("<tr class=\"account\"><td>")
          .append(Html.escape(a.address()))
          .append("</td><td>")
          .append(Html.escape(a.state()))
          .append("</td><td>")
          .append(a.outbox())
          .append("</td></tr>");
    }
    b.append("</table>");
    if (!n.listeners.isEmpty()) {
      b.append("<p id=\"listeners\">");
      for (String l : n.listeners) {
        b.append(Html.escape(l.replace("imap ", "IMAP ").replace("smtp ", "SMTP "))).append("<br>");
      }
      b.append("</p>");
    }
    b.append("</section>");
    return tail(b);
  }

  /** "online", "syncing", "offline" or "problem": what the tray's icon shows too. */
  static String health(View v) {
    if (!v.nodeError().isEmpty()) {
      return "offline";
    }
    if (!alarms(v).isEmpty()) {
      return "problem";
    }
    NodeFigures n = v.node();
    if (!n.ready || NodeFigures.number(n.transport, "connections") == 0 && v.ringSize() > 1) {
      return "offline";
    }
    if (!"running".equals(n.daemon.getOrDefault("phase", "running"))) {
      return "syncing";
    }
    for (StatusSource.AccountView a : v.accounts()) {
      if (a.outbox() > 0) {
        return "syncing";
      }
    }
    return "online";
  }

  static List<String> alarms(View v) {
    List<String> out = new ArrayList<>();
    for (StatusSource.AccountView a : v.accounts()) {
      if (a.logs().isEmpty()) {
        continue;
      }
      LogStatus s = a.logs().get();
      if (s.equivocationsProven() > 0 || !s.proofs().isEmpty()) {
        out.add(
            a.address()
                + ": "
                + Math.max(s.equivocationsProven(), s.proofs().size())
                + " equivocation(s) proven: two different heads with one version of a log");
      }
      if (s.rollbacksRejected() > 0) {
        out.add(
            a.address()
                + ": "
                + s.rollbacksRejected()
                + " rollback(s) refused: a log head older than one already seen");
      }
      if (s.corruptionsDetected() > 0) {
        out.add(a.address() + ": " + s.corruptionsDetected() + " corrupt log block(s) skipped");
      }
      if (s.writerConflicts() > 0) {
        out.add(
            a.address()
                + ": "
                + s.writerConflicts()
                + " append(s) refused: another session writes this device's logs");
      }
    }
    long corrupt = NodeFigures.number(v.node().past, "corruptions");
    if (corrupt > 0) {
      out.add("PAST: " + corrupt + " corrupt replica(s) detected");
    }
    long audits = NodeFigures.number(v.node().past, "auditFailures");
    if (audits > 0) {
      out.add("PAST: " + audits + " storage audit failure(s)");
    }
    return out;
  }

  static String deliveries(View v) {
    StringBuilder b = head("Deliveries", "/deliveries");
    int waiting = 0;
    int inFlight = 0;
    int failed = 0;
    int delivered = 0;
    List<String[]> open = new ArrayList<>();
    List<long[]> latencies = new ArrayList<>();
    List<String[]> recent = new ArrayList<>();
    for (StatusSource.AccountView a : v.accounts()) {
      for (DeliveryLedger.Sent s : a.sent()) {
        for (RecipientState r : s.recipients()) {
          DeliveryState st = r.state();
          String latency = "";
          switch (st) {
            case QUEUED -> waiting++;
            case STORED, NOTIFIED -> inFlight++;
            case FAILED -> failed++;
            case DELIVERED -> {
              delivered++;
              long ms = Math.max(0, r.changedAtMillis() - s.submittedMillis());
              latencies.add(new long[] {ms});
              latency = seconds(ms);
            }
          }
          String[] line = {
            TIME.format(Instant.ofEpochMilli(s.submittedMillis())),
            a.address(),
            r.recipient(),
            st.name().toLowerCase(Locale.ROOT),
            latency,
            r.reason(),
            s.messageId()
          };
          if (st != DeliveryState.DELIVERED) {
            open.add(line);
          }
          if (recent.size() < RECENT) {
            recent.add(line);
          }
        }
      }
    }
    b.append("<section><h2>Now</h2><div class=\"cards\">");
    card(b, "waiting", "waiting in the outbox", waiting);
    card(b, "in-flight", "in flight (stored, notified)", inFlight);
    card(b, "failed", "failed", failed);
    card(b, "delivered", "delivered", delivered);
    b.append("</div></section>");

    b.append("<section><h2>Not delivered</h2>");
    if (open.isEmpty()) {
      b.append("<p class=\"ok\" id=\"open-none\">Every message sent was delivered.</p>");
    } else {
      table(
          b, "open", open, List.of("Submitted", "From", "To", "State", "", "Reason", "Message-ID"));
    }
    b.append("</section>");

    long[] hist = new long[LATENCY_LABELS.size()];
    for (long[] l : latencies) {
      hist[bucket(l[0])]++;
    }
    b.append("<section><h2>Delivery latency</h2>")
        .append(
            Svg.bars(
                "latency-histogram",
                "Delivery latency: submission to the recipient's signed receipt",
                LATENCY_LABELS,
                hist))
        .append("</section>");

    b.append("<section><h2>Recent deliveries</h2>");
    table(
        b,
        "recent",
        recent,
        List.of("Submitted", "From", "To", "State", "Latency", "Reason", "Message-ID"));
    b.append("</section>");
    return tail(b);
  }

  static int bucket(long ms) {
    for (int i = 0; i < LATENCY_BOUNDS.length; i++) {
      if (ms < LATENCY_BOUNDS[i]) {
        return i;
      }
    }
    return LATENCY_BOUNDS.length;
  }

  static String ring(View v) {
    StringBuilder b = head("Ring", "/ring");
    b.append("<section><h2>Traffic, last 24 hours</h2>")
        .append(
            Svg.lines(
                "traffic-plot",
                "Frames received and sent per " + TrafficHistory.BUCKET_MINUTES + " minutes",
                new String[] {"frames received", "frames sent"},
                v.traffic(),
                "24 h ago",
                "now"))
        .append("</section>");
    long[] perHour = new long[24];
    List<String> hours = new ArrayList<>();
    for (int h = 23; h >= 0; h--) {
      hours.add(h == 0 ? "now" : "-" + h + "h");
    }
    for (StatusSource.AccountView a : v.accounts()) {
      for (DeliveryLedger.Sent s : a.sent()) {
        long age = v.nowMillis() - s.submittedMillis();
        if (age >= 0 && age < 24 * 3600_000L) {
          perHour[23 - (int) (age / 3600_000L)]++;
        }
      }
    }
    b.append("<section><h2>Messages sent, last 24 hours</h2>")
        .append(Svg.bars("sent-plot", "Messages sent per hour", hours, perHour))
        .append("</section>");
    counters(b, "PAST (replicated storage)", "past", v.node().past);
    counters(b, "Scribe (notifications)", "scribe", v.node().scribe);
    counters(b, "Transport", "transport", v.node().transport);
    return tail(b);
  }

  private static void counters(StringBuilder b, String title, String id, Map<String, String> m) {
    b.append("<section><h2>").append(Html.escape(title)).append("</h2><table>");
    for (Map.Entry<String, String> e : m.entrySet()) {
      row(b, id + "-" + e.getKey(), e.getKey(), Html.escape(e.getValue()));
    }
    b.append("</table></section>");
  }

  private static void card(StringBuilder b, String id, String label, int n) {
    b.append("<div class=\"card\"><div class=\"n\" id=\"")
        .append(id)
        .append("\">")
        .append(n)
        .append("</div><div>")
        .append(Html.escape(label))
        .append("</div></div>");
  }

  private static void table(StringBuilder b, String id, List<String[]> rows, List<String> header) {
    b.append("<table id=\"").append(id).append("\"><tr>");
    for (String h : header) {
      b.append("<th>").append(Html.escape(h)).append("</th>");
    }
    b.append("</tr>");
    for (String[] r : rows) {
      b.append("<tr>");
      for (String c : r) {
        b.append("<td>").append(Html.escape(c)).append("</td>");
      }
      b.append("</tr>");
    }
    b.append("</table>");
  }

  private static void row(StringBuilder b, String id, String label, String valueHtml) {
    b.append("<tr><th>")
        .append(Html.escape(label))
        .append("</th><td id=\"")
        .append(Html.escape(id))
        .append("\">")
        .append(valueHtml)
        .append("</td></tr>");
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  static String seconds(long ms) {
    return String.format(Locale.ROOT, "%.2f s", ms / 1000.0);
  }

  static String duration(long ms) {
    long s = ms / 1000;
    return s < 120 ? s + " s" : s < 7200 ? (s / 60) + " min" : (s / 3600) + " h";
  }

  private static StringBuilder head(String title, String path) {
    StringBuilder b = new StringBuilder(8192);
    b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>ePOST: ")
        .append(title)
        .append("</title><style>")
        .append(CSS)
        .append("</style></head><body><header><h1>ePOST</h1><nav>");
    link(b, "/", "Overview", path);
    link(b, "/deliveries", "Deliveries", path);
    link(b, "/ring", "Ring", path);
    b.append("</nav></header><main>");
    return b;
  }

  private static void link(StringBuilder b, String href, String label, String current) {
    b.append("<a href=\"")
        .append(href)
        .append('"')
        .append(href.equals(current) ? " class=\"here\"" : "")
        .append('>')
        .append(label)
        .append("</a>");
  }

  private static String tail(StringBuilder b) {
    return b.append("</main></body></html>").toString();
  }

  static final String CSS =
      "body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}"
          + "header{background:#24324a;color:#fff;display:flex;align-items:center;gap:2em;padding:.5em 1.5em}"
          + "header h1{font-size:1.2em;margin:0}nav a{color:#cfd8e6;margin-right:1.2em;text-decoration:none}"
          + "nav a.here{color:#fff;border-bottom:2px solid #7fb3ff}"
          + "main{max-width:980px;margin:0 auto;padding:1em}"
          + "section{background:#fff;border:1px solid #dde2ea;border-radius:6px;padding:.6em 1.2em;margin:1em 0}"
          + "h2{font-size:1.05em;margin:.3em 0 .6em}table{border-collapse:collapse;width:100%}"
          + "th,td{text-align:left;padding:.2em .6em;border-bottom:1px solid #eef0f4;font-size:.92em;"
          + "overflow-wrap:anywhere}th{font-weight:600;width:14em}"
          + ".badge{padding:.1em .6em;border-radius:1em;color:#fff}.online{background:#2f9e44}"
          + ".syncing{background:#1c7ed6}.offline{background:#868e96}.problem{background:#e03131}"
          + ".ok{color:#2f9e44}.alarm{color:#c92a2a}.small{font-size:.85em;color:#5c667a}"
          + ".meter{height:14px;background:#e9ecef;border-radius:7px;overflow:hidden}"
          + ".meter div{height:100%;background:#4c6ef5;min-width:2px}"
          + ".cards{display:flex;gap:1em}.card{flex:1;border:1px solid #dde2ea;border-radius:6px;"
          + "padding:.5em;text-align:center}.card .n{font-size:1.8em;font-weight:700}"
          + ".plot{width:100%;height:auto}.plot .axis{stroke:#99a;stroke-width:1}"
          + ".plot .bar{fill:#4c6ef5}.plot text{font-size:11px;fill:#445}"
          + ".plot .s0{stroke:#2f9e44;stroke-width:2}.plot .s1{stroke:#e8590c;stroke-width:2}"
          + ".plot .s0t{fill:#2f9e44}.plot .s1t{fill:#e8590c}";
}
