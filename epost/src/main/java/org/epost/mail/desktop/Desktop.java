package org.epost.mail.desktop;

import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Optional;
import org.epost.mail.daemon.DaemonHost;

/**
 * The desktop side of {@code epost run} (ADR 0133): the tray icon when a desktop session is
 * present. A tray that cannot start (no tray host, no display) costs the tray only, never the mail.
 */
public final class Desktop {
  private static final System.Logger LOG = System.getLogger("org.epost.mail.desktop");

  private Desktop() {}

  /**
   * Whether {@code epost run} shows the tray: {@code tray.enabled} is {@code on}, or {@code auto}
   * with {@code DISPLAY} or {@code WAYLAND_DISPLAY} set in {@code env}.
   */
  public static boolean wanted(String trayEnabled, Map<String, String> env) {
    return switch (trayEnabled) {
      case "on" -> true;
      case "off" -> false;
      default ->
          !env.getOrDefault("DISPLAY", "").isBlank()
              || !env.getOrDefault("WAYLAND_DISPLAY", "").isBlank();
    };
  }

  /**
   * Starts the tray for {@code host} if {@link #wanted}; prints one line ({@code tray ...}) to
   * {@code out} saying what happened. Empty when there is no tray.
   */
  public static Optional<AutoCloseable> startIfWanted(DaemonHost host, PrintStream out) {
    if (!wanted(host.config().trayEnabled(), System.getenv())) {
      return Optional.empty();
    }
    try {
      Optional<AutoCloseable> t = DesktopTray.start(host, out).map(x -> x);
      if (t.isEmpty()) {
        out.println("tray none: no system tray in this desktop session");
      }
      return t;
    } catch (RuntimeException | LinkageError e) {
      LOG.log(Level.WARNING, "no tray: {0}", e.toString());
      out.println("tray none: " + e);
      return Optional.empty();
    }
  }

  /**
   * Opens {@code url} in the desktop's browser ({@code xdg-open}) when a desktop session is present
   * ({@code DISPLAY} or {@code WAYLAND_DISPLAY}); otherwise does nothing (the caller printed it).
   */
  public static void openIfDesktop(String url) {
    if (wanted("auto", System.getenv())) {
      DesktopTray.open(url);
    }
  }
}
