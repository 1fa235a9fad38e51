package org.epost.mail.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.keyfile.ScryptParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code epost run} as its own process: it starts, says what it serves, a second {@code run} on the
 * same data directory is refused with the holder's PID, and SIGTERM stops it cleanly (the shutdown
 * hook runs the ordered stop: the node's control port is gone afterwards, the lock released so the
 * directory starts again).
 */
class RunProcessTest {
  @TempDir Path tmp;

  @Test
  void runStartsIsExclusiveAndStopsOnSigterm() throws Exception {
    Path pf = tmp.resolve("pass");
    Files.writeString(pf, "pw\n");
    DataDirectory d = DataDirectory.open(tmp.resolve("data"));
    SecureRandom r = new SecureRandom();
    ScryptParameters fast = new ScryptParameters(10, 8, 1);
    RingFiles.initAuthority(d, "pw".toCharArray(), r, fast);
    Enrolments.enrol(d, "alice@ring.test", "pw".toCharArray(), "pw".toCharArray(), r, fast);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.writeString(
        d.configFile(),
        DaemonConfig.sample(
            Map.of(
                DaemonConfig.Key.NODE_LISTEN,
                "127.0.0.1:" + port,
                DaemonConfig.Key.NODE_QUOTA,
                "64m")),
        StandardCharsets.UTF_8);

    try (DaemonProcess p = DaemonProcess.start("data", d.root(), pf)) {
      String running = p.await("epost running: node ", 60);
      assertTrue(running.contains(" at 127.0.0.1:" + port), running);
      p.await(
          InstalledMailParts.get().isPresent() ? "account alice@ring.test" : "not served alice",
          10);
      List<String> status = org.epost.overlay.node.NodeControl.call(d.nodeDir(), "STATUS", 10_000);
      assertTrue(
          status.stream().anyMatch(l -> l.startsWith("epost phase=running")), status.toString());

      try (DaemonProcess second = DaemonProcess.start("second", d.root(), pf)) {
        assertTrue(second.process.waitFor(60, TimeUnit.SECONDS), "the second run gives up");
        assertEquals(2, second.process.exitValue());
        String err = Files.readString(tmp.resolve("second.err"));
        assertTrue(
            err.contains("is in use by process " + p.process.pid()), "the holder is named: " + err);
      }

      int code = p.stop();
      assertEquals(143, code, "stopped by SIGTERM through the shutdown hook");
      String err = Files.readString(tmp.resolve("data.err"));
      assertTrue(!err.contains("Exception"), err);
    }
    // the lock is released: the directory starts again
    try (DaemonProcess again = DaemonProcess.start("again", d.root(), pf)) {
      again.await("epost running: node ", 60);
      assertEquals(143, again.stop());
    }
  }
}
