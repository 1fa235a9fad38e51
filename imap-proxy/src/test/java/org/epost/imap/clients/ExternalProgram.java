package org.epost.imap.clients;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real client program with a timeout; a missing program fails the test with the package to
 * install.
 */
final class ExternalProgram {
  record Result(int exitCode, String output) {}

  private ExternalProgram() {}

  static void require(String program, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return;
      }
    }
    fail(
        program
            + " is not installed; install the Debian package '"
            + debianPackage
            + "' (listed in .ci/packages/imap-proxy.txt, which .ci/run installs)");
  }

  static Result run(
      List<String> command,
      Path workDir,
      Map<String, String> env,
      String stdin,
      long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    pb.environment().putAll(env);
    Path out = Files.createTempFile("imap-client", ".out");
    pb.redirectOutput(out.toFile());
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(
          command.get(0)
              + " did not finish within "
              + timeoutSeconds
              + " s; output:\n"
              + Files.readString(out));
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    Files.delete(out);
    return new Result(p.exitValue(), text);
  }
}
