package org.epost.overlay.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.node.api.DataDirectoryException;
import org.epost.overlay.node.api.NodeConfig;
import org.epost.overlay.transport.tcp.TcpTransportConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar overlay-node.jar run|route|status|put|get|publish|subscribe}: runs one overlay
 * node, or asks a running node (through its loopback control port) to route a probe, report its
 * state, store or fetch a file, publish or subscribe. See the overlay README.
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
      NodeCommand.Route.class,
      NodeCommand.Status.class,
      NodeCommand.Put.class,
      NodeCommand.Get.class,
      NodeCommand.Publish.class,
      NodeCommand.Subscribe.class,
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
    int colon = s.lastIndexOf(':');
    if (colon <= 0) {
      throw new UserError("expected HOST:PORT, got '" + s + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UserError("expected HOST:PORT with a numeric port, got '" + s + "'");
    }
    if (port < 0 || port > 65535) {
      throw new UserError("port out of range (0..65535) in '" + s + "'");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new UserError(
          "unknown host '" + host + "' in '" + s + "'; give an IP address or a name that resolves");
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

  /** Options shared by the commands that talk to a running node. */
  static class Via {
    @Option(
        names = "--via",
        required = true,
        description = "HOST:PORT (overlay address) of a running node on this machine")
    String via;

    @Option(
        names = "--data",
        description = "that node's data directory (default: looked up in the node registry)")
    Path data;

    /** The node's data directory, or a one-line error saying how to name it. */
    Path dataDir() {
      parseHostPort(via);
      if (data != null) {
        return data;
      }
      try {
        return NodeDirectory.lookup(via);
      } catch (IOException e) {
        throw new UserError(e.getMessage(), e);
      }
    }

    /** One command with a one-line answer; an "error ..." answer becomes exit code 1. */
    String ask(String command, int timeoutMillis) {
      List<String> answer = call(command, timeoutMillis);
      if (answer.isEmpty()) {
        throw new IllegalStateException("the node at " + via + " closed without an answer");
      }
      String line = answer.get(0);
      if (line.startsWith("error busy")) {
        throw new UserError("the node at " + via + " is " + line.substring(6));
      }
      if (line.startsWith("error ")) {
        throw new IllegalStateException(line.substring(6));
      }
      return line;
    }

    /**
     * Sends {@code commands} over up to {@code parallel} connections (1..16) and returns their
     * one-line answers in order.
     */
    List<String> askAll(List<String> commands, int parallel) throws InterruptedException {
      if (parallel < 1 || parallel > 16) {
        throw new UserError("--parallel must be in 1..16, got " + parallel);
      }
      Path dir = dataDir();
      String[] answers = new String[commands.size()];
      java.util.concurrent.atomic.AtomicInteger next =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicReference<RuntimeException> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < Math.min(parallel, commands.size()); t++) {
        Thread th =
            new Thread(
                () -> {
                  try (ControlClient.Session s = ControlClient.Session.open(dir, 3_600_000)) {
                    int i;
                    while (failure.get() == null && (i = next.getAndIncrement()) < answers.length) {
                      String a = s.ask(commands.get(i));
                      if (a == null) {
                        throw new IOException("the node closed the connection");
                      }
                      if (a.startsWith("error busy")) {
                        throw new UserError("the node at " + via + " is " + a.substring(6));
                      }
                      answers[i] = a;
                    }
                  } catch (IOException e) {
                    failure.compareAndSet(
                        null,
                        new UserError(
                            "cannot reach the node at " + via + ": " + e.getMessage(), e));
                  } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                  }
                },
                "control-" + t);
        th.start();
        threads.add(th);
      }
      for (Thread th : threads) {
        th.join();
      }
      if (failure.get() != null) {
        throw failure.get();
      }
      return List.of(answers);
    }

    List<String> call(String command, int timeoutMillis) {
      Path dir = dataDir();
      try {
        return ControlClient.call(dir, command, timeoutMillis);
      } catch (java.net.SocketTimeoutException e) {
        throw new IllegalStateException(
            "the node at " + via + " did not answer within " + timeoutMillis / 1000 + " s", e);
      } catch (IOException e) {
        throw new UserError("cannot reach the node at " + via + ": " + e.getMessage(), e);
      }
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
          throw new UserError("cannot reach the node at " + via + ": " + e.getMessage(), e);
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
  static final class Status extends Via implements Callable<Integer> {
    @Override
    public Integer call() {
      List<String> lines = call("STATUS", 10_000);
      lines.forEach(System.out::println);
      return lines.isEmpty() || lines.get(0).startsWith("error") ? 1 : 0;
    }
  }

  @Command(
      name = "put",
      description =
          "Store FILEs in PAST through a running node on this machine; prints each object's id (40"
              + " hex), one line per FILE in order. Files over 56 KiB are stored in chunks under a"
              + " manifest; the id is the manifest's.")
  static final class Put extends Via implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the files to store")
    List<Path> files;

    @Option(
        names = "--parallel",
        description = "files stored at once (default ${DEFAULT-VALUE}, at most 16)")
    int parallel = 4;

    @Override
    public Integer call() throws Exception {
      List<String> commands = new ArrayList<>();
      for (Path file : files) {
        Path abs = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
          throw new UserError(abs + " is not a file; give an existing file to store");
        }
        if (!Files.isReadable(abs)) {
          throw new UserError(abs + " is not readable; check its permissions");
        }
        commands.add("PUT " + abs);
      }
      List<String> answers = askAll(commands, parallel);
      int failed = 0;
      for (int i = 0; i < answers.size(); i++) {
        String[] f = answers.get(i).split(" ");
        if (f[0].equals("stored") && f.length >= 2) {
          System.out.println(f[1]);
        } else {
          failed++;
          System.out.println("error");
          System.err.println("error: " + files.get(i) + ": " + strip(answers.get(i)));
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "get",
      description =
          "Fetch objects (ids as printed by put) through a running node on this machine, verified"
              + " chunk by chunk and as a whole; one ID with --out FILE, or several with --out-dir"
              + " DIR (each written to DIR/ID).")
  static final class Get extends Via implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "ID", description = "40 hex digits")
    List<String> ids;

    @Option(names = "--out", description = "file to write (must not exist); one ID only")
    Path out;

    @Option(names = "--out-dir", description = "directory to write DIR/ID into")
    Path outDir;

    @Option(
        names = "--parallel",
        description = "objects fetched at once (default ${DEFAULT-VALUE}, at most 16)")
    int parallel = 4;

    @Override
    public Integer call() throws Exception {
      if ((out == null) == (outDir == null)) {
        throw new UserError("give either --out FILE (one ID) or --out-dir DIR");
      }
      if (out != null && ids.size() != 1) {
        throw new UserError("--out takes one ID; use --out-dir DIR for several");
      }
      List<String> commands = new ArrayList<>();
      for (String id : ids) {
        if (!id.matches("[0-9a-fA-F]{40}")) {
          throw new UserError("ID must be 40 hex digits, got '" + id + "'");
        }
        Path abs =
            (out != null ? out : outDir.resolve(id.toLowerCase(java.util.Locale.ROOT)))
                .toAbsolutePath()
                .normalize();
        if (Files.exists(abs)) {
          throw new UserError(abs + " exists; remove it or choose another --out");
        }
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
          throw new UserError("cannot write into " + dir + "; choose a writable directory");
        }
        commands.add("GET " + id.toLowerCase(java.util.Locale.ROOT) + " " + abs);
      }
      List<String> answers = askAll(commands, parallel);
      int failed = 0;
      for (int i = 0; i < answers.size(); i++) {
        if (!answers.get(i).startsWith("got ")) {
          failed++;
          System.err.println("error: " + ids.get(i) + ": " + strip(answers.get(i)));
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  private static String strip(String answer) {
    return answer.startsWith("error ") ? answer.substring(6) : answer;
  }

  @Command(
      name = "publish",
      description =
          "Publish TEXT to TOPIC (Scribe) through a running node; TEXT '-' publishes each line of"
              + " standard input.")
  static final class Publish extends Via implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "topic name (no spaces)")
    String topic;

    @Parameters(
        index = "1",
        paramLabel = "TEXT",
        description = "the publication (one line), or - for lines from standard input")
    String text;

    @Override
    public Integer call() throws Exception {
      checkTopic(topic);
      if (!text.equals("-")) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
          throw new UserError("TEXT must be one line");
        }
        ask("PUBLISH " + topic + " " + text, 60_000);
        return 0;
      }
      Path dir = dataDir();
      int failed = 0;
      try (ControlClient.Session s = ControlClient.Session.open(dir, 60_000);
          java.io.BufferedReader in =
              new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      System.in, java.nio.charset.StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.isEmpty()) {
            continue;
          }
          String answer = s.ask("PUBLISH " + topic + " " + line);
          if (answer == null) {
            throw new IllegalStateException("the node at " + via + " closed the connection");
          }
          if (answer.startsWith("error ")) {
            failed++;
            System.err.println("error: " + strip(answer));
          }
        }
      } catch (java.net.SocketTimeoutException e) {
        throw new IllegalStateException("the node at " + via + " did not answer within 60 s", e);
      } catch (IOException e) {
        throw new UserError("cannot reach the node at " + via + ": " + e.getMessage(), e);
      }
      return failed == 0 ? 0 : 1;
    }
  }

  static void checkTopic(String topic) {
    if (topic.isEmpty() || topic.length() > 200 || !topic.matches("\\S+")) {
      throw new UserError("TOPIC must be 1..200 characters without spaces, got '" + topic + "'");
    }
  }

  @Command(
      name = "subscribe",
      description =
          "Subscribe a running node to TOPIC and print each publication received as a line, until"
              + " interrupted (Ctrl-C).")
  static final class Subscribe extends Via implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "topic name (no spaces)")
    String topic;

    @Option(
        names = "--ready",
        description = "print 'subscribed' and 'attached' lines too (for scripts)")
    boolean ready;

    @Override
    public Integer call() {
      checkTopic(topic);
      Path dir = dataDir();
      java.util.concurrent.atomic.AtomicBoolean stopping =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<ControlClient.Session> session =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread hook =
          new Thread(
              () -> {
                stopping.set(true);
                ControlClient.Session s = session.get();
                if (s != null) {
                  try {
                    s.close();
                  } catch (IOException e) {
                    // exiting anyway
                  }
                }
                System.out.flush();
              },
              "subscribe-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      int[] rc = {0};
      try {
        ControlClient.stream(
            dir,
            "SUBSCRIBE " + topic,
            line -> {
              if (line.startsWith("pub ")) {
                System.out.println(line.substring(4));
                System.out.flush();
              } else if (line.startsWith("error ")) {
                System.err.println("error: " + line.substring(6));
                rc[0] = 1;
              } else if (line.startsWith("lost ")) {
                System.err.println(
                    "warning: " + line.substring(5) + " publications dropped (reader too slow)");
              } else if (ready && !line.equals("alive")) {
                System.out.println(line);
                System.out.flush();
              }
            },
            session::set);
      } catch (IOException e) {
        if (stopping.get()) {
          return 0;
        }
        throw new UserError("cannot reach the node at " + via + ": " + e.getMessage(), e);
      }
      if (stopping.get()) {
        return 0;
      }
      if (rc[0] == 0) {
        System.err.println("error: the node at " + via + " ended the subscription (stopped?)");
      }
      return 1;
    }
  }
}
