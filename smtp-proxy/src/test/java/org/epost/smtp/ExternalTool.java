package org.epost.smtp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TEST HELPER: runs a real program (swaks, msmtp, python3) with a timeout. A missing program fails
 * the test with the package to install: the CI installs them from .ci/packages/smtp-proxy.txt.
 */
final class ExternalTool {
  record Result(int exitCode, String output) {}

  private ExternalTool() {}

  static String locate(String program, String debianPackage) {
    for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin")) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    fail(
        program
            + " is not installed; run `apt-get install -y "
            + debianPackage
            + "` (CI installs it from .ci/packages/smtp-proxy.txt)");
    return null;
  }

  static Result run(List<String> command, byte[] stdin, int timeoutSeconds)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    byte[][] output = new byte[1][];
    Thread reader =
        new Thread(
            () -> {
              try {
                output[0] = p.getInputStream().readAllBytes();
              } catch (IOException e) {
                output[0] = ("(output unreadable: " + e + ")").getBytes(StandardCharsets.UTF_8);
              }
            });
    reader.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      reader.join(2000);
      fail(
          command.get(0)
              + " did not finish within "
              + timeoutSeconds
              + " s; output so far: "
              + (output[0] == null ? "" : new String(output[0], StandardCharsets.UTF_8)));
    }
    reader.join(5000);
    return new Result(
        p.exitValue(), output[0] == null ? "" : new String(output[0], StandardCharsets.UTF_8));
  }
}
