package org.epost.mail.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The standard output of a started process, collected line by line for a test to wait on. */
public final class ProcessOutput {
  private ProcessOutput() {}

  /**
   * Starts a daemon thread named {@code threadName} that adds each line {@code process} prints to
   * {@code lines} (a thread-safe list) until the process closes its output.
   */
  public static void collectLines(Process process, List<String> lines, String threadName) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            threadName);
    reader.setDaemon(true);
    reader.start();
  }
}
