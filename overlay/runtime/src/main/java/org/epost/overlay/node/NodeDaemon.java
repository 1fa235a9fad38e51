package org.epost.overlay.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.api.NodeIdentity;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.pastry.Pastry;
import org.epost.overlay.realtime.RealTimeLoop;
import org.epost.overlay.transport.tcp.NodeCredentials;
import org.epost.overlay.transport.tcp.TcpTransport;
import org.epost.overlay.transport.tcp.TcpTransportConfig;
import org.epost.overlay.transport.tcp.TransportStatistics;

/**
 * One running node: identity from its data directory, a real-time loop, the TCP transport, a Pastry
 * node, the probe application and the control port. Threads: the node loop (all overlay state),
 * Netty I/O threads (transport), control threads (which only post work to the loop and wait for the
 * answer).
 */
public final class NodeDaemon implements AutoCloseable {
  private final RealTimeLoop loop;
  private final TcpTransport transport;
  private final OverlayNode node;
  private final ProbeApplication probes;
  private final NodeDirectory directory;
  private ControlServer control;

  private NodeDaemon(
      NodeDirectory directory,
      RealTimeLoop loop,
      TcpTransport transport,
      OverlayNode node,
      ProbeApplication probes) {
    this.directory = directory;
    this.loop = loop;
    this.transport = transport;
    this.node = node;
    this.probes = probes;
  }

  /**
   * Starts a node listening on {@code listen}; it creates a ring if {@code bootstraps} is empty,
   * else joins through them. Returns at once; see {@link #awaitReady}. Node id derived from the
   * node's key, unless {@code transportConfig} names a ring authority (then as {@link
   * #start(java.nio.file.Path, InetSocketAddress, List, PastryConfig, TcpTransportConfig,
   * java.nio.file.Path)} with the default certificate file).
   */
  public static NodeDaemon start(
      java.nio.file.Path dataDir,
      InetSocketAddress listen,
      List<InetSocketAddress> bootstraps,
      PastryConfig config,
      TcpTransportConfig transportConfig)
      throws IOException {
    return start(dataDir, listen, bootstraps, config, transportConfig, null);
  }

  /**
   * As above; in ring-authority mode ({@code transportConfig.ringAuthority()} set, ADR 0063/0089)
   * the node's id is the one in its certificate from that authority, read from {@code nodeCert}
   * (null: {@code node.cert} in the data directory).
   *
   * @throws IOException if the data directory, key or certificate file cannot be read
   * @throws IllegalArgumentException in ring-authority mode if the certificate was issued for
   *     another key, or the node's own verifier refuses it (another authority's, expired, revoked)
   */
  public static NodeDaemon start(
      java.nio.file.Path dataDir,
      InetSocketAddress listen,
      List<InetSocketAddress> bootstraps,
      PastryConfig config,
      TcpTransportConfig transportConfig,
      java.nio.file.Path nodeCert)
      throws IOException {
    SecureRandom random = new SecureRandom();
    NodeDirectory dir = new NodeDirectory(dataDir);
    NodeIdentity identity = dir.loadOrCreateIdentity(random);
    NodeCredentials creds;
    if (transportConfig.ringAuthority() == null) {
      creds = NodeCredentials.of(identity);
    } else {
      java.nio.file.Path certFile =
          nodeCert != null ? nodeCert : dir.dir.resolve(NodeDirectory.CERT_FILE);
      creds =
          NodeCredentials.withRingCertificate(
              identity, RingAuthorityFiles.readCertificate(certFile));
    }
    RealTimeLoop loop = new RealTimeLoop("node-loop");
    TcpTransport transport;
    try {
      transport = TcpTransport.start(creds, loop, listen, transportConfig, null);
    } catch (IOException | RuntimeException e) {
      loop.close();
      throw e;
    }
    NodeEnvironment env =
        new NodeEnvironment(
            loop, loop, loop.random(), transport, NodeEnvironment.HandleInterner.none());
    List<Address> boot = new ArrayList<>();
    for (InetSocketAddress b : bootstraps) {
      boot.add(Address.inet(b.getAddress().getAddress(), b.getPort()));
    }
    CompletableFuture<NodeDaemon> made = new CompletableFuture<>();
    loop.execute(
        () -> {
          OverlayNode node = Pastry.newNode(creds.id(), env, config);
          ProbeApplication probes = new ProbeApplication(node);
          if (boot.isEmpty()) {
            node.createRing();
          } else {
            node.join(boot);
          }
          made.complete(new NodeDaemon(dir, loop, transport, node, probes));
        });
    NodeDaemon d = made.join();
    String token = NodeDirectory.newToken(random);
    d.control = new ControlServer(token, d.commands());
    dir.writeControl(d.control.port(), token);
    return d;
  }

  /**
   * A verifier for ring-authority mode: trusts the authority whose public key is in {@code
   * authorityPublicKey} ({@code authority.pub}) and applies {@code revocationList} if not null.
   *
   * @throws IOException if a file is missing or not what it should be, or the list is not signed by
   *     that authority
   */
  public static org.epost.crypto.cert.CertificateVerifier verifier(
      java.nio.file.Path authorityPublicKey, java.nio.file.Path revocationList) throws IOException {
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

  /** This node's id. */
  public Id id() {
    return transport.localId();
  }

  /** Where other nodes reach this node. */
  public Address address() {
    return transport.localAddress();
  }

  /** Waits until the node has joined; false on timeout. */
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
  public ProbeApplication.Delivery route(Id key) throws Exception {
    CompletableFuture<CompletableFuture<ProbeApplication.Delivery>> started =
        new CompletableFuture<>();
    loop.execute(() -> started.complete(probes.probe(key)));
    return started
        .get(5, TimeUnit.SECONDS)
        .get(ProbeApplication.TIMEOUT_MILLIS + 2_000, TimeUnit.MILLISECONDS);
  }

  /** Pings {@code to} directly and returns the round trip in nanoseconds. */
  public long ping(NodeHandle to) throws Exception {
    CompletableFuture<CompletableFuture<Long>> started = new CompletableFuture<>();
    loop.execute(() -> started.complete(probes.ping(to)));
    return started
        .get(5, TimeUnit.SECONDS)
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
  public List<NodeHandle> leafSet() {
    return onLoop(node::leafSet);
  }

  /** The overlay node; call it on its loop only ({@link #onLoop}). */
  public OverlayNode overlay() {
    return node;
  }

  /** Runs {@code f} on the node's loop and returns its result. */
  public <T> T onLoop(java.util.function.Supplier<T> f) {
    CompletableFuture<T> r = new CompletableFuture<>();
    loop.execute(
        () -> {
          try {
            r.complete(f.get());
          } catch (RuntimeException e) {
            r.completeExceptionally(e);
          }
        });
    try {
      return r.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node loop did not answer: " + e, e);
    }
  }

  /** Transport counters. */
  public TransportStatistics transportStatistics() {
    return transport.statistics();
  }

  /** Lets {@code route --via} find this node's control port. */
  public void register() throws IOException {
    directory.register(hostPort(address()));
  }

  static String hostPort(Address a) {
    return a.toString();
  }

  private ControlServer.Commands commands() {
    return new ControlServer.Commands() {
      @Override
      public String route(String keyHex, boolean timed) throws Exception {
        Id key;
        try {
          key = Id.fromHex(keyHex);
        } catch (IllegalArgumentException e) {
          return "error bad key: " + e.getMessage();
        }
        return routeAnswer(key, timed);
      }

      @Override
      public List<String> status() {
        return StatusReport.lines(NodeDaemon.this);
      }
    };
  }

  /** Stops the control port, the node, the transport and the loop. */
  @Override
  public void close() {
    try {
      if (control != null) {
        control.close();
      }
    } catch (IOException e) {
      // closing anyway
    }
    try {
      onLoop(
          () -> {
            node.stop();
            return null;
          });
    } catch (IllegalStateException e) {
      // loop already gone
    }
    transport.close();
    loop.close();
  }
}
