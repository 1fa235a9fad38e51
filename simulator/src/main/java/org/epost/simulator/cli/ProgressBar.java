package org.epost.simulator.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.epost.simulator.api.ProgressListener;

/**
 * Shows an experiment's progress on stderr. On a terminal it redraws one line in place at most four
 * times a second; otherwise (CI logs, redirected output) it prints one line per 10% of simulated
 * time so that logs stay short.
 */
final class ProgressBar implements ProgressListener {

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private long lastDrawNanos;
  private long lastEvents;
  private long lastNanos = System.nanoTime();
  private int lastDecile = -1;
  private String lastPhase = "";
  private boolean drewInPlace;

  ProgressBar(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void progress(
      String phase, long simMicros, long simTotalMicros, long events, int liveNodes) {
    long now = System.nanoTime();
    double fraction = simTotalMicros <= 0 ? 0 : Math.min(1.0, (double) simMicros / simTotalMicros);
    boolean phaseChanged = !phase.equals(lastPhase);
    if (terminal) {
      if (!phaseChanged && now - lastDrawNanos < 250_000_000L) {
        return;
      }
    } else {
      int decile = (int) (fraction * 10);
      if (decile == lastDecile && !phaseChanged) {
        return;
      }
      lastDecile = decile;
    }
    lastPhase = phase;
    double rate = (events - lastEvents) / Math.max(1e-9, (now - lastNanos) / 1e9);
    lastEvents = events;
    lastNanos = now;
    lastDrawNanos = now;
    int filled = (int) Math.round(fraction * WIDTH);
    String line =
        String.format(
            Locale.ROOT,
            "[%s%s] %3.0f%% %-7s sim %s / %s  %,.0f events/s  %,d live",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            fraction * 100,
            phase,
            clock(simMicros),
            clock(simTotalMicros),
            rate,
            liveNodes);
    if (terminal) {
      out.print("\r" + line + "\u001b[K");
      drewInPlace = true;
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the in-place line so that later output starts on a fresh line. */
  void finish() {
    if (drewInPlace) {
      out.println();
      out.flush();
    }
  }

  static String clock(long micros) {
    long s = micros / 1_000_000L;
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
