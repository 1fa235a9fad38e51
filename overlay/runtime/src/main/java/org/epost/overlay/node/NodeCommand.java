package org.epost.overlay.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.node.api.DataDirectoryException;
import org.epost.overlay.node.api.HostPort;
import org.epost.overlay.node.api.NodeConfig;
import org.epost.overlay.transport.tcp.TcpTransportConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar overlay-node.jar run|route|status|put|get|publish|subscribe}: runs one overlay
 * node, or asks a running node (through its loopback control port) to route a probe, report its
 * state, store or fetch a file, publish or subscribe. See the overlay README. This class is the
 * root command, {@code run} and {@code node-key}; the commands that talk to a running node are
 * {@link ProbeCommands}, {@link StorageCommands} and {@link TopicCommands}, on {@link
 * ClientCommand}; {@link AuthorityCommand} is the ring authority's.
 *
 * <p>Exit codes: 0 success; 1 the operation failed (not found, not joined in time, the node
 * reported an error); 2 the command line or environment is wrong (unknown option, bad address, port
 * in use, missing file, node not reachable, data directory in use), with one line on stderr saying
 * what and what to do; {@code --verbose} adds the stack trace.
 */
@Command(
    name = "overlay-node",
    mixinStandardHelpOptions = true,
    versionProvider = NodeCommand.Version.class,
    description = "Run an ePOST overlay node, or talk to one.",
    subcommands = {
      NodeCommand.Run.class,
      ProbeCommands.Route.class,
      ProbeCommands.Status.class,
      StorageCommands.Put.class,
      StorageCommands.Get.class,
      TopicCommands.Publish.class,
      TopicCommands.Subscribe.class,
      NodeCommand.NodeKey.class,
      AuthorityCommand.class
    })
public final class NodeCommand implements Callable<Integer> {
  /** Set by {@code --verbose} anywhere on the command line: stack traces for errors. */
  static volatile boolean verbose;

  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "print stack traces with error messages")
  void setVerbose(boolean v) {
    verbose = v;
  }

  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
    }
    System.exit(execute(args));
  }

  /** Runs the command line; returns the exit code. */
  static int execute(String... args) {
    for (String a : args) {
      if (a.equals("--verbose")) {
        verbose = true;
      }
    }
    CommandLine cl = new CommandLine(new NodeCommand());
    cl.setParameterExceptionHandler(
        (ex, argv) -> {
          CommandLine c = ex.getCommandLine();
          System.err.println(
              "error: "
                  + oneLine(ex.getMessage())
                  + " (see '"
                  + c.getCommandSpec().qualifiedName()
                  + " --help')");
          if (verbose) {
            ex.printStackTrace();
          }
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          boolean usage = ex instanceof UserError || ex instanceof CommandLine.ParameterException;
          System.err.println(
              "error: " + oneLine(ex.getMessage() == null ? ex.toString() : ex.getMessage()));
          if (verbose) {
            ex.printStackTrace();
          }
          return usage ? 2 : 1;
        });
    return cl.execute(args);
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replace('\n', ' ').replace('\r', ' ');
  }

  /**
   * An error in what the operator gave (an option, a file, an address) or in the environment (port
   * in use, node not reachable, data directory in use): one line, exit code 2.
   */
  static final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
      super(message);
    }

    UserError(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** {@code -V}: the version of the jar, from its manifest when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = NodeCommand.class.getPackage().getImplementationVersion();
      return new String[] {"overlay-node " + (v == null ? "(development build)" : v)};
    }
  }

  /** A size with an optional k, m, g or t suffix (powers of 1024): 10g, 512m, 1048576. */
  static long parseSize(String s) {
    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
    long unit = 1;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'k' -> unit = 1L << 10;
        case 'm' -> unit = 1L << 20;
        case 'g' -> unit = 1L << 30;
        case 't' -> unit = 1L << 40;
        default -> unit = 1;
      }
    }
    String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
    try {
      return Math.multiplyExact(Long.parseLong(digits), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new UserError("expected a size such as 10g, 512m or 1048576, got '" + s + "'");
    }
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.err);
    return 2;
  }

  /** HOST:PORT, HOST an IP literal or name; IPv6 in brackets. */
  static InetSocketAddress parseHostPort(String s) {
    try {
      return HostPort.parse(s);
    } catch (IllegalArgumentException e) {
      throw new UserError("expected " + e.getMessage() + ", got '" + s + "'");
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

    @Option(
        names = "--quota",
        description =
            "storage quota for PAST replicas, e.g. 10g, 512m (default ${DEFAULT-VALUE}); the log"
                + " store lives in DATA/past")
    String quota = "10g";

    @Override
    public Integer call() throws Exception {
      PastryConfig d = PastryConfig.defaults();
      PastryConfig config;
      try {
        config =
            new PastryConfig(
                d.leafSetSize(),
                heartbeatMs,
                failureTimeoutMs,
                d.ackTimeoutMillis(),
                d.maintenanceMillis(),
                d.joinTimeoutMillis());
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage());
      }
      List<InetSocketAddress> boots = new ArrayList<>();
      for (String b : bootstrap) {
        boots.add(parseHostPort(b));
      }
      InetSocketAddress listenAt = parseHostPort(listen);
      if (ringAuthority == null && (nodeCert != null || revocationList != null)) {
        throw new UserError("--node-cert and --revocation-list need --ring-authority");
      }
      long quotaBytes = parseSize(quota);
      NodeConfig nc;
      try {
        TcpTransportConfig transport = TcpTransportConfig.defaults();
        if (ringAuthority != null) {
          transport =
              transport.withRingAuthority(NodeDaemon.verifier(ringAuthority, revocationList));
        }
        nc =
            NodeConfig.builder(data, listenAt)
                .bootstraps(boots)
                .pastry(config)
                .transport(transport)
                .nodeCert(nodeCert)
                .quotaBytes(quotaBytes)
                .shutdownHook(true)
                .build();
      } catch (IOException | IllegalArgumentException e) {
        throw new UserError(e.getMessage(), e);
      }
      NodeDaemon node;
      try {
        node = NodeDaemon.start(nc);
      } catch (DataDirectoryException e) {
        throw new UserError(e.getMessage(), e);
      } catch (IOException e) {
        if (bindFailure(e)) {
          throw new UserError(
              "cannot listen on "
                  + listen
                  + ": address in use or not local; choose another --listen",
              e);
        }
        throw new UserError(e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage(), e);
      }
      if (!node.awaitReady(joinTimeoutSeconds * 1000)) {
        System.err.println(
            "error: not joined after "
                + joinTimeoutSeconds
                + " s; is the bootstrap node reachable? (stopping)");
        node.close();
        return 1;
      }
      node.register();
      System.out.println("ready " + node.id().toHex() + " " + node.address());
      System.out.flush();
      new CountDownLatch(1).await(); // until SIGTERM/SIGINT: the runtime's hook stops the node
      return 0;
    }

    private static boolean bindFailure(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof java.net.BindException
            || (t.getMessage() != null && t.getMessage().contains("cannot listen on"))) {
          return true;
        }
      }
      return false;
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
}
