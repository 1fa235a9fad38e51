package org.epost.mail.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.mail.api.AccountServices;
import org.epost.mail.mailbox.MailAccounts;
import org.epost.mail.mailbox.MailboxConfig;
import org.epost.mail.mailbox.PostAccount;
import org.epost.overlay.node.NodeRuntimes;
import org.epost.overlay.node.api.NodeConfig;
import org.epost.overlay.node.api.NodeRuntime;
import org.epost.overlay.past.api.PastConfig;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.NotificationListener;
import org.epost.post.directory.AccountLog;
import org.epost.post.directory.CertificateRequest;
import org.epost.post.directory.DirectoryAuthority;
import org.epost.post.directory.Enrolment;
import org.epost.post.log.MemoryLogLocalState;
import org.epost.post.node.PostNode;
import org.epost.post.notify.MemoryPendingItemStore;
import org.epost.post.notify.NotifyLocalState;
import org.epost.post.store.MemoryLeaseLedger;

/**
 * A ring of real node runtimes in this JVM on loopback (TLS, PAST with three replicas, Scribe),
 * with {@link PostNode} on each (created on the node's loop), users enrolled through the ring's own
 * directory authority and their accounts opened with {@link MailAccounts}. A node can be restarted
 * on its data directory; its users keep their POST state (the log writer records, the lease ledger)
 * as a disk would.
 *
 * <p>For tests of the email application (mailbox, delivery, daemon). Close it to stop everything.
 */
public final class LoopbackRing implements AutoCloseable {
  /** Seconds a step on the ring may take in a test. */
  public static final long WAIT_SECONDS = 60;

  /** One node: its runtime and POST services. */
  public static final class Node {
    final Path dir;
    NodeRuntime runtime;
    PostNode post;

    Node(Path dir) {
      this.dir = dir;
    }

    public NodeRuntime runtime() {
      return runtime;
    }

    public PostNode post() {
      return post;
    }
  }

  /** One enrolled user, at home on one node. */
  public static final class User {
    public final String address;
    public final UserIdentity identity;
    public final UserCertificate certificate;
    final DirectoryEntry entry;
    final PostNode.UserState state;
    final int node;
    final Path accountDir;
    final NotificationListener listener;
    PostNode.User services;

    User(
        String address,
        UserIdentity identity,
        DirectoryEntry entry,
        PostNode.UserState state,
        int node,
        Path accountDir,
        NotificationListener listener) {
      this.address = address;
      this.identity = identity;
      this.certificate = entry.certificate();
      this.entry = entry;
      this.state = state;
      this.node = node;
      this.accountDir = accountDir;
      this.listener = listener;
    }

    /** The POST services attached for the user on its node now. */
    public PostNode.User services() {
      return services;
    }

    public int node() {
      return node;
    }
  }

  public static final String DEVICE = "desk";

  private final Path root;
  private final SecureRandom random = new SecureRandom();
  private final DirectoryAuthority authority;
  private final List<Node> nodes = new ArrayList<>();
  private final List<User> users = new ArrayList<>();
  private final PostNode.Config postConfig = PostNode.Config.defaults();

  private LoopbackRing(Path root) {
    this.root = root;
    this.authority = new DirectoryAuthority(SigningKeyPair.generate(random), random);
  }

  /** Starts {@code count} nodes under {@code root}, each joined through the first. */
  public static LoopbackRing start(Path root, int count) throws Exception {
    LoopbackRing ring = new LoopbackRing(root);
    try {
      for (int i = 0; i < count; i++) {
        Node n = new Node(root.resolve("node" + i));
        ring.nodes.add(n);
        ring.startNode(n, i == 0 ? null : ring.nodes.get(0));
      }
      Thread.sleep(1000); // leaf sets settle
      return ring;
    } catch (Exception e) {
      ring.close();
      throw e;
    }
  }

  private void startNode(Node n, Node bootstrap) throws Exception {
    NodeConfig.Builder b =
        NodeConfig.builder(n.dir, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .past(PastConfig.defaults().withReplicas(3))
            .quotaBytes(512L << 20)
            .shutdownHook(false);
    if (bootstrap != null) {
      String[] hp = bootstrap.runtime.address().toString().split(":");
      b.bootstraps(
          List.of(new InetSocketAddress(InetAddress.getByName(hp[0]), Integer.parseInt(hp[1]))));
    }
    n.runtime = NodeRuntimes.start(b.build());
    if (!n.runtime.awaitReady(30_000)) {
      throw new IllegalStateException("node " + n.dir + " did not join");
    }
    NodeRuntime rt = n.runtime;
    n.post =
        rt.bridge()
            .get(
                () ->
                    PostNode.create(
                        rt.overlay(),
                        rt.past(),
                        rt.scribe(),
                        authority.publicKey(),
                        new MemoryPendingItemStore(),
                        postConfig),
                Runnable::run)
            .get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  public Node node(int i) {
    return nodes.get(i);
  }

  public int size() {
    return nodes.size();
  }

  /**
   * Enrols {@code address} with home node {@code node}: keys, certificate, directory entry;
   * attached with a listener that drops notifications (the mailbox tests file directly).
   */
  public User enrol(String address, int node) throws Exception {
    return enrol(address, node, notification -> CompletableFuture.completedFuture(null));
  }

  /**
   * Enrols {@code address} on {@code node}, attached (now and at restarts) with {@code listener}.
   */
  public User enrol(String address, int node, NotificationListener listener) throws Exception {
    Node n = nodes.get(node);
    UserIdentity identity = Enrolment.generate(random);
    java.time.Instant now = java.time.Instant.now();
    CertificateRequest req = Enrolment.request(address, identity, now, random);
    DirectoryEntry entry = authority.enrol(req.encode(), now, Duration.ofDays(365));
    PostNode.UserState state =
        new PostNode.UserState(
            new MemoryLogLocalState(),
            new NotifyLocalState(postConfig.notification()),
            new MemoryLeaseLedger());
    User u =
        new User(
            address,
            identity,
            entry,
            state,
            node,
            root.resolve("accounts").resolve(address),
            listener);
    attach(u);
    n.runtime
        .bridge()
        .call(
            () ->
                Enrolment.complete(
                    n.post.userDirectory(),
                    u.services.logs(),
                    new AccountLog(),
                    entry,
                    identity,
                    System.currentTimeMillis()),
            Runnable::run)
        .get(WAIT_SECONDS, TimeUnit.SECONDS);
    users.add(u);
    return u;
  }

  private void attach(User u) throws Exception {
    u.services = attach(u.node, u.identity, u.certificate, u.state, u.listener);
  }

  /**
   * Attaches, on node {@code node}, keys with a certificate this ring's authority need not have
   * issued (a forger attaches someone else's address); not enrolled in the directory.
   */
  public PostNode.User attach(
      int node, UserIdentity identity, UserCertificate certificate, NotificationListener listener)
      throws Exception {
    return attach(
        node,
        identity,
        certificate,
        new PostNode.UserState(
            new MemoryLogLocalState(),
            new NotifyLocalState(postConfig.notification()),
            new MemoryLeaseLedger()),
        listener);
  }

  private PostNode.User attach(
      int node,
      UserIdentity identity,
      UserCertificate certificate,
      PostNode.UserState state,
      NotificationListener listener)
      throws Exception {
    Node n = nodes.get(node);
    return n.runtime
        .bridge()
        .get(() -> n.post.attach(identity, certificate, DEVICE, state, listener), Runnable::run)
        .get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** What {@link MailAccounts#open} takes for {@code u} on its node now. */
  public AccountServices services(User u) {
    Node n = nodes.get(u.node);
    return new AccountServices(
        u.identity,
        u.certificate,
        u.services,
        n.post.directory(),
        n.runtime.bridge(),
        u.accountDir);
  }

  /** Opens {@code u}'s account (waits). */
  public PostAccount open(User u) throws Exception {
    return MailAccounts.openAccount(services(u), MailboxConfig.defaults(DEVICE))
        .toCompletableFuture()
        .get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * Stops node {@code i} (its POST services and runtime) and starts it again on its data directory,
   * re-attaching its users with the state they kept. Close their accounts first.
   */
  public void restart(int i) throws Exception {
    Node n = nodes.get(i);
    stopNode(n);
    startNode(n, nodes.get(i == 0 ? 1 : 0));
    for (User u : users) {
      if (u.node == i) {
        attach(u);
      }
    }
  }

  private static void stopNode(Node n) {
    if (n.runtime == null) {
      return;
    }
    try {
      PostNode p = n.post;
      if (p != null) {
        n.runtime
            .bridge()
            .get(
                () -> {
                  p.stop();
                  return null;
                },
                Runnable::run)
            .get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      // stopping anyway
    }
    n.runtime.close();
    n.runtime = null;
    n.post = null;
  }

  @Override
  public void close() {
    for (Node n : nodes) {
      stopNode(n);
    }
  }

  /** Unused hook for IOExceptions in lambdas. */
  static void check(IOException e) {}
}
