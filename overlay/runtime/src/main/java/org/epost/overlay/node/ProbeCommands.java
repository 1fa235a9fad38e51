package org.epost.overlay.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.epost.overlay.node.NodeCommand.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code route} and {@code status}: a probe routed by a running node, and its state. */
final class ProbeCommands {
  private ProbeCommands() {}

  @Command(
      name = "route",
      description =
          "Route a probe from a node; prints 'delivered <node-id> hops=<n>' per key"
              + " (with --timed also 'route_us=<us> direct_us=<us>').")
  static final class Route extends ClientCommand implements Callable<Integer> {
    @Option(
        names = "--key",
        required = true,
        description = "40 hex digits; repeat for several keys")
    List<String> keys;

    @Option(
        names = "--timed",
        description =
            "also print route_us=<best of three round trips: routed to the root, "
                + "answered directly> and direct_us=<best of three direct round trips to the root> (delay stretch)")
    boolean timed;

    @Override
    public Integer call() {
      for (String k : keys) {
        if (!k.matches("[0-9a-fA-F]{40}")) {
          throw new UserError("--key must be 40 hex digits, got '" + k + "'");
        }
      }
      Path dir = dataDir();
      int failed = 0;
      for (String k : keys) {
        String line;
        try {
          List<String> answer =
              ControlClient.call(dir, "ROUTE " + k + (timed ? " timed" : ""), 60_000);
          line = answer.isEmpty() ? "error no answer" : answer.get(0);
        } catch (IOException e) {
          throw unreachable(e);
        }
        System.out.println(line);
        if (!line.startsWith("delivered ")) {
          failed++;
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "status",
      description =
          "Print a node's leaf set, routing-table fill, transport, PAST and Scribe counters and heap.")
  static final class Status extends ClientCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      List<String> lines = call("STATUS", 10_000);
      lines.forEach(System.out::println);
      return lines.isEmpty() || lines.get(0).startsWith("error") ? 1 : 0;
    }
  }
}
