package org.epost.mail.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.mail.api.AccountServices;
import org.epost.overlay.node.NodeRuntimes;
import org.epost.overlay.node.api.NodeConfig;
import org.epost.overlay.node.api.NodeRuntime;
import org.epost.overlay.past.api.PastConfig;
import org.epost.post.api.NotificationListener;
import org.epost.post.directory.AccountLog;
import org.epost.post.directory.DirectoryAuthority;
import org.epost.post.directory.Enrolment;
import org.epost.post.log.MemoryLogLocalState;
import org.epost.post.node.PostNode;
import org.epost.post.notify.MemoryPendingItemStore;
import org.epost.post.notify.NotifyLocalState;
import org.epost.post.store.MemoryLeaseLedger;

/**
 * An in-process ring for the epost tests: node runtimes on loopback (TLS, real PAST and Scribe),
 * {@link PostNode} on each, users enrolled through the directory authority as the CLI will.
 */
public final class TestRing implements AutoCloseable {
  public static final String DOMAIN = "ring.example";

  private final Path dir;
  private final DirectoryAuthority authority;
  private final List<NodeRuntime> nodes = new ArrayList<>();
  private final List<PostNode> posts = new ArrayList<>();
  private final ExecutorService waiters = Executors.newCachedThreadPool();

  private TestRing(Path dir) {
    this.dir = dir;
    SecureRandom random = new SecureRandom();
    this.authority = new DirectoryAuthority(SigningKeyPair.generate(random), random);
  }

  /** A ring of {@code n} nodes, all joined. */
  public static TestRing start(Path dir, int n) throws Exception {
    TestRing ring = new TestRing(dir);
    try {
      for (int i = 0; i < n; i++) {
        ring.startNode(i);
      }
      Thread.sleep(1_000); // leaf sets settle
    } catch (Exception | Error e) {
      ring.close();
      throw e;
    }
    return ring;
  }

  private void startNode(int i) throws Exception {
    Path d = dir.resolve("node" + i);
    NodeConfig.Builder b =
        NodeConfig.builder(d, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .past(PastConfig.defaults().withReplicas(3))
            .quotaBytes(64L << 20);
    if (!nodes.isEmpty()) {
      String[] hp = nodes.get(0).address().toString().split(":");
      b.bootstraps(
          List.of(new InetSocketAddress(InetAddress.getByName(hp[0]), Integer.parseInt(hp[1]))));
    }
    NodeRuntime node = NodeRuntimes.start(b.build());
    nodes.add(node);
    assertTrue(node.awaitReady(30_000), "node " + i + " joined");
    PostNode post =
        node.bridge()
            .get(
                () ->
                    PostNode.create(
                        node.overlay(),
                        node.past(),
                        node.scribe(),
                        authority.publicKey(),
                        new MemoryPendingItemStore(),
                        PostNode.Config.defaults()),
                waiters)
            .get(30, TimeUnit.SECONDS);
    posts.add(post);
  }

  public NodeRuntime node(int i) {
    return nodes.get(i);
  }

  public PostNode post(int i) {
    return posts.get(i);
  }

  /** A user enrolled on node {@code i}, attached with {@code listener}. */
  public AccountServices enrol(int i, String address, NotificationListener listener)
      throws Exception {
    NodeRuntime node = nodes.get(i);
    PostNode post = posts.get(i);
    UserIdentity identity = Enrolment.generate(new SecureRandom());
    var env =
        node.bridge().get(() -> node.overlay().environment(), waiters).get(10, TimeUnit.SECONDS);
    var request =
        Enrolment.request(address, identity, env.clock().wallInstant(), new SecureRandom());
    var entry = authority.enrol(request.encode(), env.clock().wallInstant(), Duration.ofDays(365));
    UserCertificate certificate = entry.certificate();
    PostNode.User user = attach(i, identity, certificate, listener);
    node.bridge()
        .call(
            () ->
                Enrolment.complete(
                    post.userDirectory(),
                    user.logs(),
                    new AccountLog(),
                    entry,
                    identity,
                    env.clock().wallMillis()),
            waiters)
        .get(60, TimeUnit.SECONDS);
    return services(i, identity, certificate, user, address);
  }

  /** Attaches a user with any keys and certificate (a forger attaches someone else's). */
  public PostNode.User attach(
      int i, UserIdentity identity, UserCertificate certificate, NotificationListener listener)
      throws Exception {
    NodeRuntime node = nodes.get(i);
    PostNode post = posts.get(i);
    return node.bridge()
        .get(
            () ->
                post.attach(
                    identity,
                    certificate,
                    "device-" + identity.signing().publicKey().hashCode(),
                    new PostNode.UserState(
                        new MemoryLogLocalState(),
                        new NotifyLocalState(PostNode.Config.defaults().notification()),
                        new MemoryLeaseLedger()),
                    listener),
            waiters)
        .get(30, TimeUnit.SECONDS);
  }

  public AccountServices services(
      int i, UserIdentity identity, UserCertificate certificate, PostNode.User user, String address)
      throws Exception {
    Path account = dir.resolve("accounts").resolve(address);
    Files.createDirectories(
        account,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    return new AccountServices(
        identity, certificate, user, posts.get(i).directory(), nodes.get(i).bridge(), account);
  }

  @Override
  public void close() {
    for (int i = 0; i < nodes.size(); i++) {
      NodeRuntime node = nodes.get(i);
      if (i < posts.size()) {
        PostNode post = posts.get(i);
        try {
          node.bridge()
              .get(
                  () -> {
                    post.stop();
                    return null;
                  },
                  waiters)
              .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // stopping anyway
        }
      }
    }
    for (NodeRuntime n : nodes) {
      n.close();
    }
    waiters.shutdownNow();
  }
}
