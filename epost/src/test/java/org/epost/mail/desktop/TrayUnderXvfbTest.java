package org.epost.mail.desktop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.epost.mail.testing.ProcessOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The tray as a user sees it (issue 18, ADR 0133): an X server (Xvfb) with an XEmbed tray host
 * (trayer) in the top right corner, the tray of a daemon on a demo ring in its own JVM on that
 * display, and screenshots of the screen ({@code import -window root}). The icon is there (pixels
 * of the online colour in the tray's area); after a pause (the daemon stops: proxies closed, the
 * node off the ring) a second screenshot shows the paused colour and no online colour. Skipped only
 * when Xvfb, trayer or import is missing ({@code .ci/packages/epost.txt} installs them).
 */
class TrayUnderXvfbTest {
  static final int WIDTH = 800;
  static final int HEIGHT = 200;
  static final int TRAY_WIDTH = 200;
  static final int TRAY_HEIGHT = 32;

  private final List<Process> started = new ArrayList<>();
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private String sessionBus; // the test's own D-Bus session bus, when started

  @AfterEach
  void stop() throws InterruptedException {
    for (int i = started.size() - 1; i >= 0; i--) {
      Process p = started.get(i);
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * The XEmbed path: trayer hosts the icon, dorkbox draws it itself (its Swing tray, forced with
   * the library's own property so that the test does not depend on who runs it).
   */
  @Test
  void iconShowsTheDaemonsStateAndChangesWhenPaused() throws Exception {
    requireOnPath(List.of("Xvfb", "trayer", "import"), "xvfb, trayer, imagemagick");
    Path dir = testDir("tray-test");
    String disp = startXvfb(dir);
    start(
        dir.resolve("trayer.log"),
        List.of(
            "trayer",
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "pixel",
            "--width",
            Integer.toString(TRAY_WIDTH),
            "--heighttype",
            "pixel",
            "--height",
            Integer.toString(TRAY_HEIGHT),
            "--transparent",
            "false",
            "--SetDockType",
            "true"),
        disp);
    Thread.sleep(1_000);
    // dorkbox's own XEmbed tray whoever runs the test (as root it takes it anyway: ADR 0143)
    Process tray =
        startTray(dir, disp, List.of("-Ddorkbox.systemTray.SystemTray.FORCE_TRAY_TYPE=Swing"));
    await("tray shown: Swing", 120);
    onlineThenPaused(tray, disp, dir, "tray");
  }

  /**
   * The StatusNotifier/AppIndicator path of GNOME and KDE: a private D-Bus session bus started by
   * the test, a StatusNotifierWatcher ({@code status-notifier-watcher}) and a StatusNotifier host
   * that draws the items it is told of in a bar at the top of the screen ({@code
   * gtk-sni-tray-standalone}). dorkbox, on a desktop it does not know (as here: no {@code
   * XDG_CURRENT_DESKTOP}) on Debian, picks its AppIndicator tray as it does for KDE Plasma, Unity
   * and Pantheon; it loads {@code libappindicator3} by JNA, which Debian 12 provides as
   * libayatana-appindicator3. The item is registered with the watcher (read back with {@code
   * gdbus}), and the host's bar shows the icon online, then paused.
   *
   * <p>When the test runs as root (as CI does), dorkbox's guard against a root process talking to
   * another user's session bus is switched off by its own system property: the bus here is root's
   * own, started by the test.
   */
  @Test
  void statusNotifierHostShowsTheIconAndItsStateChange() throws Exception {
    requireOnPath(
        List.of(
            "Xvfb",
            "import",
            "dbus-daemon",
            "gdbus",
            "status-notifier-watcher",
            "gtk-sni-tray-standalone"),
        "xvfb, imagemagick, dbus, libglib2.0-bin, haskell-status-notifier-item-utils,"
            + " haskell-gtk-sni-tray-utils");
    Assumptions.assumeTrue(
        Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libappindicator3.so.1"))
            || Files.exists(Path.of("/usr/lib/libappindicator3.so.1")),
        "libappindicator3 is not installed (package libayatana-appindicator3-1)");
    Path dir = testDir("tray-sni-test");
    String disp = startXvfb(dir);
    Process bus =
        new ProcessBuilder(
                "dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1")
            .redirectError(dir.resolve("dbus.log").toFile())
            .start();
    started.add(bus);
    String address =
        new BufferedReader(new InputStreamReader(bus.getInputStream(), StandardCharsets.US_ASCII))
            .readLine();
    assertTrue(address != null && address.startsWith("unix:"), "the bus address: " + address);
    sessionBus = address.trim();
    start(dir.resolve("watcher.log"), List.of("status-notifier-watcher"), disp);
    awaitBusName("org.kde.StatusNotifierWatcher", 30);
    start(
        dir.resolve("sni-host.log"),
        List.of(
            "gtk-sni-tray-standalone",
            "--top",
            "--end",
            "--size",
            Integer.toString(TRAY_HEIGHT),
            "--color",
            "white"),
        disp);
    // the item registers only with a watcher that has a host: on a loaded machine the host takes
    // more than a moment to register itself
    awaitWatcherProperty("IsStatusNotifierHostRegistered", "true", 60);
    // Known flake (2 of 4 full CI runs here, cause not found): the item is made and signals the
    // host, yet status-notifier-watcher never lists it. The tray is started afresh up to three
    // times; each attempt's outcome is in registered-items.txt.
    List<String> jvm =
        "root".equals(System.getProperty("user.name"))
            ? List.of("-Ddorkbox.systemTray.SystemTray.ENABLE_ROOT_CHECK=false")
            : List.of();
    Process tray = null;
    String items = "";
    StringBuilder attempts = new StringBuilder();
    for (int attempt = 1; attempt <= 3 && !items.contains("':"); attempt++) {
      if (tray != null) {
        tray.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        lines.clear();
      }
      tray = startTray(dir, disp, jvm);
      await("tray shown: AppIndicator", 120);
      items = awaitWatcherProperty("RegisteredStatusNotifierItems", "':", 20);
      attempts.append("attempt ").append(attempt).append(": ").append(items).append('\n');
    }
    Files.writeString(dir.resolve("registered-items.txt"), attempts);
    assertTrue(items.contains("':"), "one item registered with the watcher: " + items);
    onlineThenPaused(tray, disp, dir, "sni");
  }

  /** The icon online (its colour in the tray area), then paused: grey, no online colour left. */
  private void onlineThenPaused(Process tray, String disp, Path dir, String name) throws Exception {
    await("tray state online", 60);
    Thread.sleep(1_500); // the tray host paints
    BufferedImage online = screenshot(disp, dir.resolve(name + "-online.png"));
    int green = count(online, TrayState.ONLINE.colour);
    assertTrue(green >= 40, "the online icon's colour in the tray area: " + green + " pixels");

    OutputStream in = tray.getOutputStream();
    in.write("pause\n".getBytes(StandardCharsets.US_ASCII));
    in.flush();
    await("tray state paused", 60);
    Thread.sleep(1_500);
    BufferedImage paused = screenshot(disp, dir.resolve(name + "-paused.png"));
    assertEquals(0, count(paused, TrayState.ONLINE.colour), "no online colour after the pause");
    int grey = count(paused, TrayState.PAUSED.colour);
    assertTrue(grey >= 40, "the paused icon's colour in the tray area: " + grey + " pixels");

    in.write("quit\n".getBytes(StandardCharsets.US_ASCII));
    in.flush();
    await("done quit", 60);
  }

  private static void requireOnPath(List<String> programs, String packages) {
    for (String b : programs) {
      Assumptions.assumeTrue(
          Notifier.onPath(b) != null,
          b + " is not installed (packages " + packages + "): the tray test cannot run");
    }
  }

  private static Path testDir(String name) throws IOException {
    Path dir = Path.of("target", name).toAbsolutePath();
    Files.createDirectories(dir);
    return dir;
  }

  private String startXvfb(Path dir) throws Exception {
    int display = freeDisplay();
    String disp = ":" + display;
    start(
        dir.resolve("xvfb.log"),
        List.of("Xvfb", disp, "-screen", "0", WIDTH + "x" + HEIGHT + "x24", "-nolisten", "tcp"),
        null);
    Path socket = Path.of("/tmp/.X11-unix/X" + display);
    for (int i = 0; i < 100 && !Files.exists(socket); i++) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(socket), "Xvfb did not start on " + disp);
    return disp;
  }

  /** The daemon with its tray ({@link TrayDemoMain}) in its own JVM; its lines go to lines. */
  private Process startTray(Path dir, String disp, List<String> jvmOptions) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            TrayDemoMain.class.getName(),
            dir.toString()));
    Process tray = start(dir.resolve("tray.err"), cmd, disp);
    ProcessOutput.collectLines(tray, lines, "tray-out");
    return tray;
  }

  private String gdbus(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("gdbus"));
    cmd.addAll(List.of(args));
    cmd.add(2, "--session");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("DBUS_SESSION_BUS_ADDRESS", sessionBus);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out.trim();
  }

  /**
   * The watcher's property {@code name} once its value contains {@code expected}, or its last value
   * after {@code seconds}.
   */
  private String awaitWatcherProperty(String name, String expected, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String value = "";
    while (System.nanoTime() < end && !value.contains(expected)) {
      value =
          gdbus(
              "call",
              "-d",
              "org.kde.StatusNotifierWatcher",
              "-o",
              "/StatusNotifierWatcher",
              "-m",
              "org.freedesktop.DBus.Properties.Get",
              "org.kde.StatusNotifierWatcher",
              name);
      Thread.sleep(100);
    }
    return value;
  }

  private void awaitBusName(String name, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String names = "";
    while (System.nanoTime() < end) {
      names =
          gdbus(
              "call",
              "-d",
              "org.freedesktop.DBus",
              "-o",
              "/org/freedesktop/DBus",
              "-m",
              "org.freedesktop.DBus.ListNames");
      if (names.contains("'" + name + "'")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " not on the session bus within " + seconds + " s: " + names);
  }

  private Process start(Path log, List<String> cmd, String disp) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    if (disp != null) {
      pb.environment().put("DISPLAY", disp);
      pb.environment().remove("WAYLAND_DISPLAY");
      pb.environment().remove("XDG_CURRENT_DESKTOP");
      pb.environment().put("NO_AT_BRIDGE", "1"); // no accessibility bus for GTK
      if (sessionBus != null) {
        pb.environment().put("DBUS_SESSION_BUS_ADDRESS", sessionBus);
      } else {
        pb.environment().remove("DBUS_SESSION_BUS_ADDRESS");
      }
    }
    if (!cmd.get(0).endsWith("java")) {
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private void await(String prefix, int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (lines.stream().anyMatch(l -> l.startsWith(prefix))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no line '" + prefix + "' within " + seconds + " s; got " + lines);
  }

  /**
   * The screen as 8-bit RGB ({@code PNG24}): an all-grey screen is otherwise written as a greyscale
   * PNG, whose values ImageIO reads through another colour space.
   */
  private static BufferedImage screenshot(String disp, Path file) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("import", "-window", "root", "PNG24:" + file)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("DISPLAY", disp);
    Process p = pb.start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "import did not finish");
    assertEquals(0, p.exitValue(), "import failed");
    BufferedImage img = ImageIO.read(file.toFile());
    assertEquals(WIDTH, img.getWidth());
    return img;
  }

  /** Pixels within a small distance of {@code c} in the tray's area (the top right corner). */
  static int count(BufferedImage img, Color c) {
    int n = 0;
    for (int y = 0; y < TRAY_HEIGHT; y++) {
      for (int x = WIDTH - TRAY_WIDTH; x < WIDTH; x++) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (Math.abs(r - c.getRed()) <= 10
            && Math.abs(g - c.getGreen()) <= 10
            && Math.abs(b - c.getBlue()) <= 10) {
          n++;
        }
      }
    }
    return n;
  }

  private static int freeDisplay() {
    for (int d = 90; d < 200; d++) {
      if (!Files.exists(Path.of("/tmp/.X11-unix/X" + d))
          && !Files.exists(Path.of("/tmp/.X" + d + "-lock"))) {
        return d;
      }
    }
    throw new IllegalStateException("no free X display number between 90 and 199");
  }
}
