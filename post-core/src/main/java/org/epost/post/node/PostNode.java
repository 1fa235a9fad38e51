package org.epost.post.node;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.Scheduler;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.scribe.ScribeFactory;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.post.api.Directory;
import org.epost.post.api.LogLocalState;
import org.epost.post.api.MessageStore;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.Notifications;
import org.epost.post.directory.DirectoryConfig;
import org.epost.post.directory.DirectoryLocalState;
import org.epost.post.directory.FileDirectoryState;
import org.epost.post.directory.RevocationConfig;
import org.epost.post.directory.RevocationDistribution;
import org.epost.post.directory.UserDirectory;
import org.epost.post.log.FileLogLocalState;
import org.epost.post.log.LogConfig;
import org.epost.post.log.MemoryLogLocalState;
import org.epost.post.log.SignedLogs;
import org.epost.post.notify.DirectorySenderVerifier;
import org.epost.post.notify.FilePendingItemStore;
import org.epost.post.notify.NotifyConfig;
import org.epost.post.notify.NotifyLocalState;
import org.epost.post.notify.NotifyNode;
import org.epost.post.notify.PendingItemStore;
import org.epost.post.store.FileLeaseLedger;
import org.epost.post.store.LeaseLedger;
import org.epost.post.store.MemoryLeaseLedger;
import org.epost.post.store.MessageStores;
import org.epost.post.store.StoreConfig;

/**
 * The POST services of one node, assembled: Scribe and the notification service's pending store on
 * the node's router, the user directory reading through the node's PAST, and per attached user a
 * message store, a log service and a notification service whose senders are checked against the
 * directory. The node's PAST is the caller's (it owns the replica store and its executor).
 *
 * <p>Threading: create, attach and stop on the node's loop; every service runs there.
 */
public final class PostNode {
  /**
   * The configuration of every service.
   *
   * @param notification the notification service and pending store
   * @param directory the directory's cache and retries
   * @param log the log service
   * @param store the message store
   */
  public record Config(
      NotifyConfig notification,
      DirectoryConfig directory,
      LogConfig log,
      StoreConfig store,
      RevocationConfig revocations) {
    public Config {
      Objects.requireNonNull(notification, "notification");
      Objects.requireNonNull(directory, "directory");
      Objects.requireNonNull(log, "log");
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(revocations, "revocations");
    }

    /** The services' configuration with the default revocation distribution. */
    public Config(
        NotifyConfig notification, DirectoryConfig directory, LogConfig log, StoreConfig store) {
      this(notification, directory, log, store, RevocationConfig.defaults());
    }

    /** Every service's defaults. */
    public static Config defaults() {
      return new Config(
          NotifyConfig.defaults(),
          DirectoryConfig.defaults(),
          LogConfig.defaults(),
          StoreConfig.defaults(),
          RevocationConfig.defaults());
    }
  }

  /**
   * What a user keeps across the restarts of its node (its disk): the log service's local state
   * (high-water marks, writer records, proofs), the notification service's (replay memory, seen
   * ids, outbox) and the lease ledger of the messages its logs reference.
   */
  public record UserState(LogLocalState logs, NotifyLocalState notifications, LeaseLedger leases) {
    public UserState {
      Objects.requireNonNull(logs, "logs");
      Objects.requireNonNull(notifications, "notifications");
      Objects.requireNonNull(leases, "leases");
    }

    /**
     * A user's state in memory: lost with the object (the simulation keeps the object across a
     * simulated node's sessions).
     */
    public static UserState inMemory(Config config) {
      return new UserState(
          new MemoryLogLocalState(),
          new NotifyLocalState(config.notification()),
          new MemoryLeaseLedger());
    }

    /**
     * A user's state on disk under {@code dir} (one directory per user, e.g. {@code
     * DATA/post/users/<address hash>}; created if absent): {@code logs/} ({@link
     * FileLogLocalState}, a file per key replaced atomically), {@code notify/notify.journal}
     * ({@link NotifyLocalState#onDisk}) and {@code leases/leases.journal} ({@link FileLeaseLedger},
     * at most {@code config.store().maxLedgerEntries()} entries). Reopening the same directory
     * after a crash or a clean stop gives back the state as of the last write that reached the disk
     * (ADR 0107); a journal damaged before its end fails with {@link
     * org.epost.post.disk.JournalCorruptException} naming the file, never with a silent loss.
     *
     * <p>Threading: reads the files, so call it off the node's loop (before attaching the user,
     * e.g. on the thread that starts the node, or on the disk executor). Writes then run on {@code
     * disk} (the node's disk thread, in order) and their stages complete on {@code loop}.
     *
     * @throws IOException if a file cannot be read or created, or is corrupt
     */
    public static UserState onDisk(Path dir, Executor disk, Scheduler loop, Config config)
        throws IOException {
      return new UserState(
          new FileLogLocalState(dir.resolve("logs"), disk, loop),
          NotifyLocalState.onDisk(dir.resolve("notify"), disk, loop, config.notification()),
          FileLeaseLedger.open(
              dir.resolve("leases"), disk, loop, config.store().maxLedgerEntries()));
    }

    /**
     * {@link #onDisk} for a caller that holds {@code dir} <em>exclusively</em>: no other process
     * uses it while the returned state lives, every earlier user of it has ended, and this process
     * opens it once (the epost daemon: its node runtime holds the data directory's lock for the
     * process's lifetime). The log state is then {@link FileLogLocalState#openExclusive}: after a
     * crash of this node (SIGKILL, power cut), the restarted node takes its logs over at once
     * instead of waiting the quiet period, while a copy of the directory at another path or on
     * another machine still waits it (ADR 0108). {@code random} makes the installation marker the
     * first time. Threading as {@link #onDisk}.
     *
     * @throws IOException if a file cannot be read or created, or is corrupt
     */
    public static UserState onDiskExclusive(
        Path dir, Executor disk, Scheduler loop, Config config, SecureRandom random)
        throws IOException {
      return new UserState(
          FileLogLocalState.openExclusive(dir.resolve("logs"), disk, loop, random),
          NotifyLocalState.onDisk(dir.resolve("notify"), disk, loop, config.notification()),
          FileLeaseLedger.open(
              dir.resolve("leases"), disk, loop, config.store().maxLedgerEntries()));
    }
  }

  /**
   * The pending store a real node keeps for others, on disk under {@code dir} (e.g. {@code
   * DATA/post/pending}): {@link FilePendingItemStore}, bounded by {@code config.notification()}'s
   * {@code storeMaxBytes}; pass it to {@code create}. Items it acknowledged survive a crash or
   * restart of the node. Threading: reads the file, off the loop; writes run on {@code disk}, their
   * stages complete on {@code loop}.
   *
   * @throws IOException if the file cannot be read or created, or is corrupt
   */
  public static FilePendingItemStore pendingStoreOnDisk(
      Path dir, Executor disk, Scheduler loop, Config config) throws IOException {
    return FilePendingItemStore.open(dir, disk, loop, config.notification());
  }

  /**
   * The directory's state a real node keeps, on disk under {@code dir} (e.g. {@code
   * DATA/post/directory}): {@link FileDirectoryState}, its high-water marks (at most {@code
   * config.directory().markCapacity()}) and the newest revocation list of the ring whose authority
   * is {@code authority} (ADR 0109); pass it to {@code create}. After a restart the node still
   * refuses an entry older than one it accepted, and still honours the list it held. Threading:
   * reads the file, off the loop; writes run on {@code disk}, their stages complete on {@code
   * loop}.
   *
   * @throws IOException if the file cannot be read or created, or is corrupt ({@link
   *     org.epost.post.disk.JournalCorruptException} naming it)
   */
  public static FileDirectoryState directoryStateOnDisk(
      Path dir, SigningPublicKey authority, Executor disk, Scheduler loop, Config config)
      throws IOException {
    return FileDirectoryState.open(dir, authority, config.directory().markCapacity(), disk, loop);
  }

  /** The services of one user attached to this node. */
  public record User(MessageStore store, SignedLogs logs, Notifications notifications) {}

  private final NodeEnvironment env;
  private final Past past;
  private final Config config;
  private final Scribe scribe;
  private final boolean ownsScribe;
  private final NotifyNode notify;
  private final UserDirectory directory;
  private final RevocationDistribution revocations;
  private final List<User> users = new ArrayList<>();

  private PostNode(
      KeyBasedRouter router,
      Past past,
      Scribe scribe,
      boolean ownsScribe,
      SigningPublicKey authority,
      PendingItemStore pending,
      DirectoryLocalState directoryState,
      Config config) {
    this.env = router.environment();
    this.past = past;
    this.config = config;
    this.scribe = scribe;
    this.ownsScribe = ownsScribe;
    this.notify = NotifyNode.create(router, scribe, config.notification(), pending);
    this.directory = UserDirectory.create(past, env, authority, config.directory(), directoryState);
    this.revocations =
        RevocationDistribution.create(router, past, scribe, directory, config.revocations());
    this.revocations.start();
  }

  /**
   * The POST services on a node whose router is {@code router} and whose PAST is {@code past}, in
   * the ring whose directory authority is {@code authority}; {@code pending} holds the
   * notifications this node stores for others. This node creates a Scribe of its own on {@code
   * router} and stops it in {@link #stop()}: for a node that has no Scribe yet (the simulator, the
   * tests). A node that already runs a Scribe (a real node's runtime) uses {@link
   * #create(KeyBasedRouter, Past, Scribe, SigningPublicKey, PendingItemStore, Config)}. Call on the
   * node's loop.
   */
  public static PostNode create(
      KeyBasedRouter router,
      Past past,
      SigningPublicKey authority,
      PendingItemStore pending,
      Config config) {
    LoopConfinement.check(router.environment().scheduler(), "PostNode.create");
    Objects.requireNonNull(router);
    return new PostNode(
        router,
        Objects.requireNonNull(past),
        ScribeFactory.create(router),
        true,
        Objects.requireNonNull(authority),
        Objects.requireNonNull(pending),
        DirectoryLocalState.inMemory(),
        Objects.requireNonNull(config));
  }

  /**
   * The POST services on a node that already runs Scribe: as {@link #create(KeyBasedRouter, Past,
   * SigningPublicKey, PendingItemStore, Config)}, but the notification service subscribes and
   * publishes through {@code scribe}, which must be the Scribe registered on {@code router} (a
   * router holds one Scribe application id). The Scribe stays the caller's: {@link #stop()}
   * unsubscribes the users' topics but does not stop it; the caller stops it after this node (the
   * node runtime stops its services in reverse order of start). Call on the node's loop.
   */
  public static PostNode create(
      KeyBasedRouter router,
      Past past,
      Scribe scribe,
      SigningPublicKey authority,
      PendingItemStore pending,
      Config config) {
    return create(router, past, scribe, authority, pending, DirectoryLocalState.inMemory(), config);
  }

  /**
   * As {@link #create(KeyBasedRouter, Past, Scribe, SigningPublicKey, PendingItemStore, Config)},
   * with the directory starting from (and keeping) {@code directoryState}: a real node passes
   * {@link #directoryStateOnDisk}. Call on the node's loop.
   */
  public static PostNode create(
      KeyBasedRouter router,
      Past past,
      Scribe scribe,
      SigningPublicKey authority,
      PendingItemStore pending,
      DirectoryLocalState directoryState,
      Config config) {
    LoopConfinement.check(router.environment().scheduler(), "PostNode.create");
    return new PostNode(
        Objects.requireNonNull(router),
        Objects.requireNonNull(past),
        Objects.requireNonNull(scribe),
        false,
        Objects.requireNonNull(authority),
        Objects.requireNonNull(pending),
        Objects.requireNonNull(directoryState),
        Objects.requireNonNull(config));
  }

  /**
   * Attaches a user with its keys and certificate: starts its message store (and its daily lease
   * sweep), a new log-writer session of device {@code device}, and its notification service (which
   * subscribes the user's topic and fetches what waits as soon as the node is ready), telling
   * {@code listener}. Call on the node's loop.
   */
  public User attach(
      UserIdentity identity,
      UserCertificate certificate,
      String device,
      UserState state,
      NotificationListener listener) {
    LoopConfinement.check(env.scheduler(), "PostNode.attach");
    MessageStore store =
        MessageStores.create(
            env, past, ConvergentEncryption.forUser(identity), state.leases(), config.store());
    SignedLogs logs =
        SignedLogs.create(past, env, identity.signing(), device, state.logs(), config.log());
    Notifications n =
        notify.attach(
            identity,
            certificate,
            new DirectorySenderVerifier(directory),
            state.notifications(),
            listener);
    User u = new User(store, logs, n);
    users.add(u);
    return u;
  }

  /** The node's user directory. */
  public Directory directory() {
    return directory;
  }

  /** The node's user directory, for enrolment ({@code Enrolment.complete}) and status. */
  public UserDirectory userDirectory() {
    return directory;
  }

  /** The distribution of the ring's revocation lists on this node (ADR 0109). */
  public RevocationDistribution revocations() {
    return revocations;
  }

  /** The node's notification service (the pending store it keeps for others). */
  public NotifyNode notifyNode() {
    return notify;
  }

  /** The node's PAST. */
  public Past past() {
    return past;
  }

  /** The Scribe the notification service uses (this node's own, or the caller's). */
  public Scribe scribe() {
    return scribe;
  }

  /**
   * Stops every service of this node and of its users: the node is going away. PAST is the caller's
   * to stop; so is the Scribe when it was passed in, while a Scribe this node created is stopped
   * here.
   */
  public void stop() {
    for (User u : users) {
      u.notifications().stop();
      u.store().stop();
    }
    users.clear();
    revocations.stop();
    notify.stop();
    if (ownsScribe) {
      scribe.stop();
    }
  }
}
