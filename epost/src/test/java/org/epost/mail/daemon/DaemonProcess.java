package org.epost.mail.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.epost.mail.testing.ProcessOutput;

/**
 * An {@code epost run} in its own JVM, as a person starts it ({@code java -cp CLASSPATH
 * org.epost.mail.cli.Epost run --data DIR --passphrase-file FILE}), its standard output collected
 * line by line, its standard error in {@code DIR/../NAME.err}.
 */
final class DaemonProcess implements AutoCloseable {
  final String name;
  final Path data;
  final Process process;
  final List<String> lines = new CopyOnWriteArrayList<>();

  private DaemonProcess(String name, Path data, Process process) {
    this.name = name;
    this.data = data;
    this.process = process;
    ProcessOutput.collectLines(process, lines, "out-" + name);
  }

  static DaemonProcess start(String name, Path data, Path passphraseFile) throws IOException {
    return start(name, data, passphraseFile, "run");
  }

  /**
   * {@code epost COMMAND --data DIR --passphrase-file FILE ARGS} ({@code run}, {@code gateway}).
   */
  static DaemonProcess start(
      String name, Path data, Path passphraseFile, String command, String... args)
      throws IOException {
    return start(name, data, passphraseFile, List.of(), List.of("-Xmx256m"), command, args);
  }

  /**
   * As {@link #start(String, Path, Path, String, String...)}, the JVM launched behind {@code
   * launcher} (for example {@code ip netns exec NS}; empty: directly) with {@code jvmOptions}
   * (heap, flight recorder) instead of the default {@code -Xmx256m}.
   */
  static DaemonProcess start(
      String name,
      Path data,
      Path passphraseFile,
      List<String> launcher,
      List<String> jvmOptions,
      String command,
      String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.epost.mail.cli.Epost");
    cmd.addAll(
        List.of(
            command, "--data", data.toString(), "--passphrase-file", passphraseFile.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectError(
                ProcessBuilder.Redirect.appendTo(data.resolveSibling(name + ".err").toFile()));
    pb.environment().remove(Passphrases.ENV);
    return new DaemonProcess(name, data, pb.start());
  }

  /** Waits for a line starting with {@code prefix}; returns it. */
  String await(String prefix, long seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      for (String l : lines) {
        if (l.startsWith(prefix)) {
          return l;
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + "; output " + lines);
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException(name + " printed no '" + prefix + "' line: " + lines);
  }

  /** SIGKILL, and wait for the end. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, and wait for the clean stop; the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
