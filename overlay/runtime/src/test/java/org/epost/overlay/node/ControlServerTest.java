package org.epost.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control port's line protocol as the {@code route}/{@code status} commands see it: the token
 * is required, {@code ROUTE <key> [timed]} passes the timing flag on, anything else after the key
 * is refused with a usage line. The node behind it is replaced by a recorder (test scope); the real
 * node is driven end to end by {@link MultiProcessRingTest}.
 */
class ControlServerTest {
  @TempDir Path dir;
  private final List<String> calls = new ArrayList<>();
  private ControlServer server;

  private void start(String token) throws IOException {
    server =
        new ControlServer(
            token,
            new ControlServer.Commands() {
              @Override
              public String route(String keyHex, boolean timed) {
                calls.add(keyHex + (timed ? " timed" : ""));
                return "delivered "
                    + keyHex
                    + " hops=1"
                    + (timed ? " route_us=900 direct_us=400" : "");
              }

              @Override
              public List<String> status() {
                return List.of("leaf a", "leaf b");
              }
            });
    new NodeDirectory(dir).writeControl(server.port(), token);
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void routePassesTheTimedFlagAndAnswersOneLine() throws Exception {
    start("t0k3n");
    String key = "ab".repeat(20);
    assertEquals(
        List.of("delivered " + key + " hops=1"), ControlClient.call(dir, "ROUTE " + key, 5_000));
    assertEquals(
        List.of("delivered " + key + " hops=1 route_us=900 direct_us=400"),
        ControlClient.call(dir, "ROUTE " + key + " timed", 5_000));
    assertEquals(List.of(key, key + " timed"), calls);
  }

  @Test
  void routeWithAnUnknownSuffixIsRefusedWithUsage() throws Exception {
    start("t0k3n");
    assertEquals(
        List.of("error usage: ROUTE <40 hex> [timed]"),
        ControlClient.call(dir, "ROUTE " + "ab".repeat(20) + " slowly", 5_000));
    assertEquals(
        List.of("error usage: ROUTE <40 hex> [timed]"),
        ControlClient.call(dir, "ROUTE " + "ab".repeat(20) + " timed extra", 5_000));
    assertEquals(List.of(), calls);
  }

  @Test
  void aWrongTokenIsRefusedAndNothingRuns() throws Exception {
    start("t0k3n");
    new NodeDirectory(dir).writeControl(server.port(), "guess");
    assertEquals(
        List.of("error bad token"), ControlClient.call(dir, "ROUTE " + "ab".repeat(20), 5_000));
    assertEquals(List.of(), calls);
  }

  @Test
  void statusEndsWithItsLines() throws Exception {
    start("t0k3n");
    assertEquals(List.of("leaf a", "leaf b"), ControlClient.call(dir, "STATUS", 5_000));
  }
}
