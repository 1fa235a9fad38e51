package org.epost.overlay.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.transport.tcp.TcpTransportConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar overlay-node.jar run|route|status}: runs one overlay node, or asks a running
 * node (through its loopback control port) to route a probe or report its state. See the overlay
 * README.
 */
@Command(
    name = "overlay-node",
    mixinStandardHelpOptions = true,
    description = "Run an ePOST overlay node, or talk to one.",
    subcommands = {
      NodeCommand.Run.class,
      NodeCommand.Route.class,
      NodeCommand.Status.class,
      NodeCommand.NodeKey.class,
      AuthorityCommand.class
    })
public final class NodeCommand implements Callable<Integer> {
  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
    }
    System.exit(new CommandLine(new NodeCommand()).execute(args));
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.err);
    return 2;
  }

  /** HOST:PORT, HOST an IP literal or name; IPv6 in brackets. */
  static InetSocketAddress parseHostPort(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0) {
      throw new CommandLine.TypeConversionException("expected HOST:PORT, got '" + s + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(s.substring(colon + 1));
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (NumberFormatException | UnknownHostException e) {
      throw new CommandLine.TypeConversionException(
          "expected HOST:PORT, got '" + s + "': " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException("port out of range in '" + s + "'");
    }
  }

  @Command(
      name = "run",
      description = "Start a node; prints 'ready <node-id> <host:port>' once it has joined.")
  static final class Run implements Callable<Integer> {
    @Option(
        names = "--listen",
        required = true,
        description = "IP:PORT to listen on (what other nodes dial)")
    String listen;

    @Option(
        names = "--bootstrap",
        description = "HOST:PORT of a ring member; omit to start a new ring")
    List<String> bootstrap = new ArrayList<>();

    @Option(
        names = "--data",
        required = true,
        description = "data directory (node key, control token)")
    Path data;

    @Option(
        names = "--heartbeat-ms",
        description = "leaf-set heartbeat period (default ${DEFAULT-VALUE})")
    long heartbeatMs = PastryConfig.defaults().heartbeatMillis();

    @Option(
        names = "--failure-timeout-ms",
        description = "silence before a neighbour is probed (default ${DEFAULT-VALUE})")
    long failureTimeoutMs = PastryConfig.defaults().failureTimeoutMillis();

    @Option(
        names = "--join-timeout-s",
        description = "give up if not joined after this long (default ${DEFAULT-VALUE})")
    long joinTimeoutSeconds = 120;

    @Option(
        names = "--ring-authority",
        description =
            "the ring authority's public key file (authority.pub): run in "
                + "ring-authority mode, where node ids come from certificates it issued (ADR 0063); omit for ids derived "
                + "from node keys")
    Path ringAuthority;

    @Option(
        names = "--node-cert",
        description =
            "this node's certificate from the ring authority (default: "
                + "DATA/node.cert); only with --ring-authority")
    Path nodeCert;

    @Option(
        names = "--revocation-list",
        description =
            "the authority's newest revocation list file; only with " + "--ring-authority")
    Path revocationList;

    @Override
    public Integer call() throws Exception {
      PastryConfig d = PastryConfig.defaults();
      PastryConfig config =
          new PastryConfig(
              d.leafSetSize(),
              heartbeatMs,
              failureTimeoutMs,
              d.ackTimeoutMillis(),
              d.maintenanceMillis(),
              d.joinTimeoutMillis());
      List<InetSocketAddress> boots = new ArrayList<>();
      for (String b : bootstrap) {
        boots.add(parseHostPort(b));
      }
      if (ringAuthority == null && (nodeCert != null || revocationList != null)) {
        System.err.println("error: --node-cert and --revocation-list need --ring-authority");
        return 2;
      }
      NodeDaemon node;
      try {
        TcpTransportConfig transport = TcpTransportConfig.defaults();
        if (ringAuthority != null) {
          transport =
              transport.withRingAuthority(NodeDaemon.verifier(ringAuthority, revocationList));
        }
        node = NodeDaemon.start(data, parseHostPort(listen), boots, config, transport, nodeCert);
      } catch (IOException | IllegalArgumentException e) {
        System.err.println("error: " + e.getMessage());
        return 1;
      }
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    node.close();
                    stop.countDown();
                  },
                  "node-shutdown"));
      if (!node.awaitReady(joinTimeoutSeconds * 1000)) {
        System.err.println(
            "error: not joined after "
                + joinTimeoutSeconds
                + " s (is the bootstrap node reachable?)");
        return 1;
      }
      node.register();
      System.out.println("ready " + node.id().toHex() + " " + node.address());
      System.out.flush();
      stop.await();
      return 0;
    }
  }

  @Command(
      name = "node-key",
      description =
          "Create the node key in DATA if missing; prints 'node-key <public-key-hex>'"
              + " (what the ring authority certifies with 'authority issue --node-key').")
  static final class NodeKey implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "the node's data directory")
    Path data;

    @Override
    public Integer call() {
      try {
        org.epost.crypto.api.NodeIdentity identity =
            new NodeDirectory(data).loadOrCreateIdentity(new java.security.SecureRandom());
        System.out.println("node-key " + RingAuthorityFiles.hex(identity.signing().publicKey()));
        return 0;
      } catch (IOException e) {
        System.err.println("error: " + e.getMessage());
        return 1;
      }
    }
  }

  /** Options shared by route and status. */
  static class Via {
    @Option(
        names = "--via",
        required = true,
        description = "HOST:PORT (overlay address) of a running node")
    String via;

    @Option(
        names = "--data",
        description = "that node's data directory (default: looked up in the node registry)")
    Path data;

    Path dataDir() throws IOException {
      return data != null ? data : NodeDirectory.lookup(via);
    }
  }

  @Command(
      name = "route",
      description =
          "Route a probe from a node; prints 'delivered <node-id> hops=<n>' per key"
              + " (with --timed also 'route_us=<us> direct_us=<us>').")
  static final class Route extends Via implements Callable<Integer> {
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
      int failed = 0;
      for (String k : keys) {
        String line;
        try {
          List<String> answer =
              ControlClient.call(dataDir(), "ROUTE " + k + (timed ? " timed" : ""), 60_000);
          line = answer.isEmpty() ? "error no answer" : answer.get(0);
        } catch (IOException e) {
          line = "error " + e.getMessage();
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
      description = "Print a node's leaf set, routing-table fill and counters.")
  static final class Status extends Via implements Callable<Integer> {
    @Override
    public Integer call() {
      try {
        List<String> lines = ControlClient.call(dataDir(), "STATUS", 10_000);
        lines.forEach(System.out::println);
        return lines.isEmpty() || lines.get(0).startsWith("error") ? 1 : 0;
      } catch (IOException e) {
        System.out.println("error " + e.getMessage());
        return 1;
      }
    }
  }
}
