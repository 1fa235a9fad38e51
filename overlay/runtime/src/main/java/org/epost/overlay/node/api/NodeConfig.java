package org.epost.overlay.node.api;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.transport.tcp.TcpTransportConfig;

/**
 * What a {@link NodeRuntime} is made from. Built with {@link #builder}; only the data directory and
 * the listen address are required.
 */
public final class NodeConfig {
  /** Default storage quota: 10 GiB. */
  public static final long DEFAULT_QUOTA_BYTES = 10L << 30;

  /** Default read cache of the log store: 8 MiB. */
  public static final long DEFAULT_CACHE_BYTES = 8L << 20;

  private final Path dataDir;
  private final InetSocketAddress listen;
  private final List<InetSocketAddress> bootstraps;
  private final PastryConfig pastry;
  private final TcpTransportConfig transport;
  private final Path nodeCert;
  private final PastConfig past;
  private final ScribeConfig scribe;
  private final long quotaBytes;
  private final long cacheBytes;
  private final boolean control;
  private final boolean shutdownHook;
  private final Supplier<List<String>> statusLines;
  private final Function<String, List<String>> applicationCommands;

  private NodeConfig(Builder b) {
    this.dataDir = Objects.requireNonNull(b.dataDir, "data directory").toAbsolutePath();
    this.listen = Objects.requireNonNull(b.listen, "listen address");
    this.bootstraps = List.copyOf(b.bootstraps);
    this.pastry = b.pastry;
    this.transport = b.transport;
    this.nodeCert = b.nodeCert;
    this.past = b.past;
    this.scribe = b.scribe;
    this.quotaBytes = b.quotaBytes;
    this.cacheBytes = b.cacheBytes;
    this.control = b.control;
    this.shutdownHook = b.shutdownHook;
    this.statusLines = b.statusLines;
    this.applicationCommands = b.applicationCommands;
  }

  public static Builder builder(Path dataDir, InetSocketAddress listen) {
    return new Builder(dataDir, listen);
  }

  public Path dataDir() {
    return dataDir;
  }

  public InetSocketAddress listen() {
    return listen;
  }

  /** Ring members to join through; empty: start a new ring. */
  public List<InetSocketAddress> bootstraps() {
    return bootstraps;
  }

  public PastryConfig pastry() {
    return pastry;
  }

  public TcpTransportConfig transport() {
    return transport;
  }

  /** The ring certificate (ring-authority mode); null: {@code node.cert} in the data directory. */
  public Path nodeCert() {
    return nodeCert;
  }

  public PastConfig past() {
    return past;
  }

  public ScribeConfig scribe() {
    return scribe;
  }

  public long quotaBytes() {
    return quotaBytes;
  }

  public long cacheBytes() {
    return cacheBytes;
  }

  /** Whether the node opens its loopback control port (the operator commands use it). */
  public boolean control() {
    return control;
  }

  /** Whether the runtime stops itself in order when the JVM exits (SIGTERM, SIGINT). */
  public boolean shutdownHook() {
    return shutdownHook;
  }

  /**
   * Lines an application on this node adds to the control port's {@code STATUS} answer, after the
   * node's own (for example the mail daemon's accounts and listeners). Called on a control thread,
   * never on the loop; each line is one line of text. Empty by default.
   */
  public Supplier<List<String>> statusLines() {
    return statusLines;
  }

  /**
   * The application's commands on the control port ({@code APP <text>}, behind the same token): the
   * answer lines for one command's text (for example the mail daemon's {@code mail-status
   * <Message-ID>}). Called on a control thread, never on the loop. By default every command is
   * answered with an error line.
   */
  public Function<String, List<String>> applicationCommands() {
    return applicationCommands;
  }

  /** Builds a {@link NodeConfig}; every setter returns the builder. */
  public static final class Builder {
    private final Path dataDir;
    private final InetSocketAddress listen;
    private final List<InetSocketAddress> bootstraps = new ArrayList<>();
    private PastryConfig pastry = PastryConfig.defaults();
    private TcpTransportConfig transport = TcpTransportConfig.defaults();
    private Path nodeCert;
    private PastConfig past = PastConfig.defaults();
    private ScribeConfig scribe = ScribeConfig.defaults();
    private long quotaBytes = DEFAULT_QUOTA_BYTES;
    private long cacheBytes = DEFAULT_CACHE_BYTES;
    private boolean control = true;
    private boolean shutdownHook;
    private Supplier<List<String>> statusLines = List::of;
    private Function<String, List<String>> applicationCommands =
        text -> List.of("error no application command here");

    private Builder(Path dataDir, InetSocketAddress listen) {
      this.dataDir = dataDir;
      this.listen = listen;
    }

    public Builder bootstraps(List<InetSocketAddress> b) {
      bootstraps.clear();
      bootstraps.addAll(b);
      return this;
    }

    public Builder pastry(PastryConfig c) {
      pastry = Objects.requireNonNull(c);
      return this;
    }

    public Builder transport(TcpTransportConfig c) {
      transport = Objects.requireNonNull(c);
      return this;
    }

    public Builder nodeCert(Path p) {
      nodeCert = p;
      return this;
    }

    public Builder past(PastConfig c) {
      past = Objects.requireNonNull(c);
      return this;
    }

    public Builder scribe(ScribeConfig c) {
      scribe = Objects.requireNonNull(c);
      return this;
    }

    /** Storage quota in bytes (at least 1 MiB). */
    public Builder quotaBytes(long q) {
      if (q < (1L << 20)) {
        throw new IllegalArgumentException("quota must be at least 1 MiB, got " + q + " bytes");
      }
      quotaBytes = q;
      return this;
    }

    public Builder cacheBytes(long c) {
      if (c < 0) {
        throw new IllegalArgumentException("negative cache size");
      }
      cacheBytes = c;
      return this;
    }

    public Builder control(boolean on) {
      control = on;
      return this;
    }

    public Builder shutdownHook(boolean on) {
      shutdownHook = on;
      return this;
    }

    /** See {@link NodeConfig#applicationCommands()}. */
    public Builder applicationCommands(Function<String, List<String>> commands) {
      applicationCommands = Objects.requireNonNull(commands);
      return this;
    }

    /** See {@link NodeConfig#statusLines()}. */
    public Builder statusLines(Supplier<List<String>> lines) {
      statusLines = Objects.requireNonNull(lines);
      return this;
    }

    public NodeConfig build() {
      return new NodeConfig(this);
    }
  }
}
