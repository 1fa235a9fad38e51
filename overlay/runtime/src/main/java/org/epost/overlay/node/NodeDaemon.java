package org.epost.overlay.node;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.epost.crypto.api.NodeIdentity;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.LoopBridge;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.node.api.NodeConfig;
import org.epost.overlay.node.api.NodeRuntime;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.store.LogObjectStore;
import org.epost.overlay.pastry.Pastry;
import org.epost.overlay.realtime.RealTimeLoop;
import org.epost.overlay.realtime.WorkerPool;
import org.epost.overlay.scribe.ScribeFactory;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.ScribeObserver;
import org.epost.overlay.transport.tcp.NodeCredentials;
import org.epost.overlay.transport.tcp.TcpTransport;
import org.epost.overlay.transport.tcp.TcpTransportConfig;
import org.epost.overlay.transport.tcp.TransportStatistics;

/**
 * The node runtime ({@link NodeRuntime}). Start order, each step once the one before is ready:
 *
 * <ol>
 *   <li>data directory: created owner-only if missing, permissions checked, locked ({@link
 *       DataDirLock}: one process per directory);
 *   <li>identity: the node key from {@code node.key} (and the ring certificate in ring-authority
 *       mode);
 *   <li>store: the log store under {@code DATA/past} opened (its index rebuilt), with its one
 *       storage thread {@code node-disk};
 *   <li>loop ({@code node-loop}) and worker pool ({@code node-work-N}, the environment's off-loop
 *       executor);
 *   <li>transport: listening;
 *   <li>on the loop: Pastry node, probe application, PAST on the store, Scribe (registered before
 *       the join so that they see every leaf-set change), then create or join the ring;
 *   <li>once joined: the control port and its token file.
 * </ol>
 *
 * {@link #close} undoes them in reverse: control port, Scribe, PAST, Pastry, transport, pending
 * store writes drained, workers, loop, store closed (flushed), lock released. A shutdown hook (when
 * configured) runs the same on SIGTERM.
 *
 * <p>Threads: the node loop (all overlay state), Netty I/O threads (transport), the storage thread,
 * workers, control threads (which post work to the loop through the bridge and wait for it).
 */
final class NodeDaemon implements NodeRuntime {
  private static final System.Logger LOG = System.getLogger("org.epost.overlay.node");
  private static final String PAST_DIR = "past";

  private final NodeConfig config;
  private final NodeDirectory directory;
  private final AtomicBoolean closed = new AtomicBoolean();
  private DataDirLock lock;
  private LogObjectStore store;
  private ExecutorService disk;
  private ExecutorService completions;
  private RealTimeLoop loop;
  private WorkerPool workers;
  private TcpTransport transport;
  private LoopBridge bridge;
  private OverlayNode node;
  private ProbeApplication probes;
  private Past past;
  private Scribe scribe;
  private Subscriptions subscriptions;
  private ControlServer control;
  private Operations operations;
  private Thread hook;

  private NodeDaemon(NodeConfig config, NodeDirectory directory) {
    this.config = config;
    this.directory = directory;
  }

  /**
   * Starts a node as {@code config} says; returns once it is listening and has started to create or
   * join its ring (see {@link #awaitReady}).
   *
   * @throws org.epost.overlay.node.api.DataDirectoryException if another process uses the data
   *     directory or others may write it
   * @throws IOException if the data directory, key, certificate or store cannot be read, or the
   *     address cannot be listened on
   * @throws IllegalArgumentException in ring-authority mode if the certificate was issued for
   *     another key, or the node's own verifier refuses it
   */
  static NodeDaemon start(NodeConfig config) throws IOException {
    NodeDirectory dir = new NodeDirectory(config.dataDir());
    NodeDaemon d = new NodeDaemon(config, dir);
    try {
      d.startServices();
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
    return d;
  }

  /** As before the runtime: a routing node with default PAST and Scribe. */
  static NodeDaemon start(
      Path dataDir,
      InetSocketAddress listen,
      List<InetSocketAddress> bootstraps,
      PastryConfig config,
      TcpTransportConfig transportConfig)
      throws IOException {
    return start(dataDir, listen, bootstraps, config, transportConfig, null);
  }

  static NodeDaemon start(
      Path dataDir,
      InetSocketAddress listen,
      List<InetSocketAddress> bootstraps,
      PastryConfig config,
      TcpTransportConfig transportConfig,
      Path nodeCert)
      throws IOException {
    return start(
        NodeConfig.builder(dataDir, listen)
            .bootstraps(bootstraps)
            .pastry(config)
            .transport(transportConfig)
            .nodeCert(nodeCert)
            .quotaBytes(256L << 20)
            .build());
  }

  private void startServices() throws IOException {
    HeapWatch.install();
    lock = DataDirLock.acquire(directory.dir);
    SecureRandom random = new SecureRandom();
    NodeIdentity identity = directory.loadOrCreateIdentity(random);
    NodeCredentials creds;
    TcpTransportConfig transportConfig = config.transport();
    if (transportConfig.ringAuthority() == null) {
      creds = NodeCredentials.of(identity);
    } else {
      Path certFile =
          config.nodeCert() != null
              ? config.nodeCert()
              : directory.dir.resolve(NodeDirectory.CERT_FILE);
      creds =
          NodeCredentials.withRingCertificate(
              identity, RingAuthorityFiles.readCertificate(certFile));
    }
    store =
        LogObjectStore.open(
            directory.dir.resolve(PAST_DIR), config.quotaBytes(), config.cacheBytes());
    disk =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "node-disk");
              t.setDaemon(true);
              return t;
            });
    completions =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "node-ops");
              t.setDaemon(true);
              return t;
            });
    loop = new RealTimeLoop("node-loop");
    workers = WorkerPool.forNode("node", loop);
    bridge = new LoopBridge(loop);
    transport = TcpTransport.start(creds, loop, config.listen(), transportConfig, null);
    NodeEnvironment env =
        new NodeEnvironment(
            loop, loop, loop.random(), transport, NodeEnvironment.HandleInterner.none(), workers);
    List<Address> boot = new ArrayList<>();
    for (InetSocketAddress b : config.bootstraps()) {
      boot.add(Address.inet(b.getAddress().getAddress(), b.getPort()));
    }
    onLoop(
        () -> {
          node = Pastry.newNode(creds.id(), env, config.pastry());
          probes = new ProbeApplication(node);
          past = PastNodes.create(node, store, disk, config.past());
          scribe = ScribeFactory.create(node, config.scribe(), ScribeObserver.NONE);
          subscriptions = new Subscriptions(scribe);
          if (boot.isEmpty()) {
            node.createRing();
          } else {
            node.join(boot);
          }
          return null;
        });
    operations = new Operations(this);
    if (config.control()) {
      String token = NodeDirectory.newToken(random);
      control = new ControlServer(token, operations);
      directory.writeControl(control.port(), token);
    }
    if (config.shutdownHook()) {
      hook = new Thread(this::close, "node-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
    }
  }

  /**
   * A verifier for ring-authority mode: trusts the authority whose public key is in {@code
   * authorityPublicKey} ({@code authority.pub}) and applies {@code revocationList} if not null.
   *
   * @throws IOException if a file is missing or not what it should be, or the list is not signed by
   *     that authority
   */
  static org.epost.crypto.cert.CertificateVerifier verifier(
      Path authorityPublicKey, Path revocationList) throws IOException {
    org.epost.crypto.cert.CertificateVerifier v =
        new org.epost.crypto.cert.CertificateVerifier(
            RingAuthorityFiles.readPublicKey(authorityPublicKey));
    if (revocationList != null) {
      try {
        v.update(RingAuthorityFiles.readRevocationList(revocationList));
      } catch (org.epost.crypto.api.VerificationException e) {
        throw new IOException(revocationList + " is refused: " + e.getMessage(), e);
      }
    }
    return v;
  }

  @Override
  public Id id() {
    return transport.localId();
  }

  @Override
  public Address address() {
    return transport.localAddress();
  }

  @Override
  public Path dataDirectory() {
    return directory.dir;
  }

  @Override
  public LoopBridge bridge() {
    return bridge;
  }

  @Override
  public OverlayNode overlay() {
    return node;
  }

  @Override
  public Past past() {
    return past;
  }

  @Override
  public Scribe scribe() {
    return scribe;
  }

  NodeConfig config() {
    return config;
  }

  Subscriptions subscriptions() {
    return subscriptions;
  }

  LogObjectStore store() {
    return store;
  }

  @Override
  public boolean awaitReady(long timeoutMillis) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < end) {
      if (onLoop(node::isReady)) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** Routes a probe to {@code key} and waits for the answer. */
  ProbeApplication.Delivery route(Id key) throws Exception {
    return call(() -> probes.probe(key))
        .get(ProbeApplication.TIMEOUT_MILLIS + 2_000, TimeUnit.MILLISECONDS);
  }

  /** Pings {@code to} directly and returns the round trip in nanoseconds. */
  long ping(NodeHandle to) throws Exception {
    return call(() -> probes.ping(to))
        .get(ProbeApplication.TIMEOUT_MILLIS + 2_000, TimeUnit.MILLISECONDS);
  }

  /**
   * The control port's answer to {@code ROUTE <key> [timed]}: {@code delivered <root> hops=<n>},
   * and when timed also {@code route_us=<best of SAMPLES round trips: routed to the root, answered
   * directly>} and {@code direct_us=<best of SAMPLES direct round trips to the root>} (0 when the
   * root is this node). Best-of on both sides, so a scheduling hiccup of a loaded machine inflates
   * neither; root and hops are those of the first probe.
   */
  String routeAnswer(Id key, boolean timed) throws Exception {
    ProbeApplication.Delivery d = route(key);
    String line = "delivered " + d.root().toHex() + " hops=" + d.hops();
    if (!timed) {
      return line;
    }
    long routed = d.roundTripNanos();
    long direct = 0;
    if (!d.root().equals(id())) {
      for (int i = 1; i < SAMPLES; i++) {
        routed = Math.min(routed, route(key).roundTripNanos());
      }
      direct = Long.MAX_VALUE;
      for (int i = 0; i < SAMPLES; i++) {
        direct = Math.min(direct, ping(d.rootHandle()));
      }
    }
    return line + " route_us=" + routed / 1_000 + " direct_us=" + direct / 1_000;
  }

  /**
   * Round trips per timed route, routed and direct each; the smallest is kept (queueing only adds).
   */
  static final int SAMPLES = 3;

  /** The leaf set, read on the loop. */
  List<NodeHandle> leafSet() {
    return onLoop(node::leafSet);
  }

  /**
   * Runs {@code op} on the loop and returns the stage it starts as a future completed on the {@code
   * node-ops} threads, so that what callers chain to it (hashing, file writes) never runs on the
   * loop.
   */
  <T> CompletableFuture<T> call(Supplier<? extends CompletionStage<T>> op) {
    return bridge.call(op, completions);
  }

  /** Runs {@code f} on the node's loop and returns its result (10 s at most). */
  <T> T onLoop(Supplier<T> f) {
    try {
      return bridge.get(f, Runnable::run).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("node loop failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the node loop", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("node loop did not answer within 10 s", e);
    }
  }

  /** Transport counters. */
  TransportStatistics transportStatistics() {
    return transport.statistics();
  }

  /** Lets {@code route --via} find this node's control port. */
  void register() throws IOException {
    directory.register(hostPort(address()));
  }

  static String hostPort(Address a) {
    return a.toString();
  }

  /** Stops every service in reverse start order (see the class comment); idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down already
      }
    }
    if (control != null) {
      try {
        control.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    if (operations != null) {
      operations.close();
    }
    if (loop != null && node != null) {
      try {
        onLoop(
            () -> {
              if (subscriptions != null) {
                subscriptions.closeAll();
              }
              if (scribe != null) {
                scribe.stop();
              }
              if (past != null) {
                past.stop();
              }
              node.stop();
              return null;
            });
      } catch (IllegalStateException e) {
        LOG.log(Level.WARNING, "node loop did not stop the services: {0}", e.getMessage());
      }
    }
    if (transport != null) {
      // Bounded: a stop must finish (and flush the store below) even if an I/O thread is wedged.
      Thread t = new Thread(transport::close, "node-transport-close");
      t.setDaemon(true);
      t.start();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        LOG.log(Level.WARNING, "the transport did not close within 5 s; stopping the rest anyway");
      }
    }
    if (disk != null) {
      disk.shutdown();
      try {
        if (!disk.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.log(Level.WARNING, "store writes still pending after 10 s; closing anyway");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (completions != null) {
      completions.shutdownNow();
    }
    if (workers != null) {
      workers.close();
    }
    if (loop != null) {
      loop.close();
    }
    if (store != null) {
      try {
        store.close();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "closing the store failed: {0}", e.toString());
      }
    }
    if (lock != null) {
      lock.close();
    }
  }
}
