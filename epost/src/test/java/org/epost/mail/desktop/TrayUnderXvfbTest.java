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

  @Test
  void iconShowsTheDaemonsStateAndChangesWhenPaused() throws Exception {
    for (String b : List.of("Xvfb", "trayer", "import")) {
      Assumptions.assumeTrue(
          Notifier.onPath(b) != null,
          b + " is not installed (packages xvfb, trayer, imagemagick): the tray test cannot run");
    }
    Path dir = Path.of("target", "tray-test").toAbsolutePath();
    Files.createDirectories(dir);
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
    Process tray =
        start(
            dir.resolve("tray.err"),
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                TrayDemoMain.class.getName(),
                dir.toString()),
            disp);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(tray.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  lines.add(l);
                }
              } catch (IOException e) {
                // ended
              }
            });
    reader.setDaemon(true);
    reader.start();

    await("tray shown", 120);
    await("tray state online", 60);
    Thread.sleep(1_500); // the tray host paints
    BufferedImage online = screenshot(disp, dir.resolve("tray-online.png"));
    int green = count(online, TrayState.ONLINE.colour);
    assertTrue(green >= 40, "the online icon's colour in the tray area: " + green + " pixels");

    OutputStream in = tray.getOutputStream();
    in.write("pause\n".getBytes(StandardCharsets.US_ASCII));
    in.flush();
    await("tray state paused", 60);
    Thread.sleep(1_500);
    BufferedImage paused = screenshot(disp, dir.resolve("tray-paused.png"));
    assertEquals(0, count(paused, TrayState.ONLINE.colour), "no online colour after the pause");
    int grey = count(paused, TrayState.PAUSED.colour);
    assertTrue(grey >= 40, "the paused icon's colour in the tray area: " + grey + " pixels");

    in.write("quit\n".getBytes(StandardCharsets.US_ASCII));
    in.flush();
    await("done quit", 60);
  }

  private Process start(Path log, List<String> cmd, String disp) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    if (disp != null) {
      pb.environment().put("DISPLAY", disp);
      pb.environment().remove("WAYLAND_DISPLAY");
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

  private static BufferedImage screenshot(String disp, Path file) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("import", "-window", "root", file.toString())
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
