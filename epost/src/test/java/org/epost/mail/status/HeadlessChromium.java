package org.epost.mail.status;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Headless Chromium as the pages' tests use it: one screenshot of one URL, its own profile. */
final class HeadlessChromium {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  private HeadlessChromium() {}

  /**
   * Opens {@code url} in a fresh profile under {@code out} and writes {@code out/NAME.png} at
   * {@code width} x {@code height}; skips the test when chromium is not installed.
   */
  static Path screenshot(Path out, String name, String url, int width, int height)
      throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM), "chromium is not installed (apt-get install chromium)");
    Files.createDirectories(out);
    Path png = out.resolve(name + ".png");
    Files.deleteIfExists(png);
    Process p =
        new ProcessBuilder(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--hide-scrollbars",
                "--user-data-dir=" + out.resolve("profile-" + name),
                "--window-size=" + width + "," + height,
                "--screenshot=" + png,
                url)
            .redirectErrorStream(true)
            .redirectOutput(out.resolve(name + ".log").toFile())
            .start();
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium finished");
    return png;
  }
}
