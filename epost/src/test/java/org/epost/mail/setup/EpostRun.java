package org.epost.mail.setup;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.epost.mail.testing.ProcessOutput;

/**
 * {@code epost run --data ROOT} as its own process the way the user unit starts it: no passphrase
 * option, standard input from /dev/null (no console), only {@code env} as its environment; its
 * output lines collected, its stderr in {@code err}.
 */
final class EpostRun implements AutoCloseable {
  private final Process process;
  private final Path err;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  EpostRun(Path root, Map<String, String> env, Path err) throws IOException {
    this.err = err;
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "org.epost.mail.cli.Epost",
                "run",
                "--data",
                root.toString())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env);
    process = pb.start();
    ProcessOutput.collectLines(process, lines, "epost-run-out");
  }

  /** The first line starting with {@code prefix}, waiting up to {@code seconds}. */
  String await(String prefix, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      for (String l : lines) {
        if (l.startsWith(prefix)) {
          return l;
        }
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "no line '"
            + prefix
            + "' within "
            + seconds
            + " s: "
            + lines
            + " "
            + Files.readString(err));
  }

  /** SIGTERM; true when it stopped within a minute. */
  boolean stop() throws InterruptedException {
    process.destroy();
    return process.waitFor(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (!stop()) {
      process.destroyForcibly();
    }
  }
}
