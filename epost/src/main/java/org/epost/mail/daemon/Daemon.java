package org.epost.mail.daemon;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserIdentity;
import org.epost.imap.api.ImapServer;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.server.ImapServers;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;
import org.epost.mail.delivery.AccountListener;
import org.epost.mail.imap.PostMailboxBackend;
import org.epost.mail.submit.SmtpWiring;
import org.epost.overlay.api.LoopBridge;
import org.epost.overlay.api.Scheduler;
import org.epost.overlay.node.NodeRuntimes;
import org.epost.overlay.node.api.NodeConfig;
import org.epost.overlay.node.api.NodeRuntime;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.ReceivedNotification;
import org.epost.post.directory.AccountLog;
import org.epost.post.directory.DirectoryLocalState;
import org.epost.post.directory.Enrolment;
import org.epost.post.node.PostNode;
import org.epost.post.notify.PendingItemStore;
import org.epost.smtp.SmtpProxy;
import org.epost.smtp.api.PasswordVerifier;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.api.SmtpServerConfig;
import org.epost.smtp.api.SubmissionBackend;

/**
 * One ePOST process on one data directory (ADR 0120). {@link #start} runs, in order: the
 * configuration; the ring's trust anchor; key unlocking (every account's key file with the one
 * passphrase); the node runtime ({@code NodeRuntimes.start}, which locks {@code DATA/node}) and the
 * wait for the ring; {@code PostNode.create} on the node's loop; per account {@code
 * PostNode.attach}, the enrolment's completion at its first start (the directory entry published,
 * the account log created), its {@link MailAccount}, its delivery listener and its submission side;
 * then the IMAP proxy and SMTP submission on loopback (with the smarthost relay when {@code
 * smarthost.host} is set: ADR 0130), and the Internet gateway when {@code gateway.listen} is set
 * (ADR 0128).
 *
 * <p>{@link #close} (also the SIGTERM hook of {@code epost run}) undoes it in reverse: SMTP refuses
 * new work with 451 while submissions in flight finish (up to {@code shutdown.grace-seconds}), the
 * listeners close, each account's submission side closes (its outbox is on disk), delivery stops,
 * the accounts close (pending appends finish), POST stops, the node stops (the store flushed last).
 * Nothing a client was told "250" for is lost: it is on the ring or fsynced in the outbox.
 *
 * <p>Status: the daemon adds its lines to the node's control-port {@code STATUS} ({@link
 * DaemonStatus}); {@code epost status} reads them with the node's token.
 *
 * <p>Threads: the caller's (start, close), the node's loop (POST, through the bridge), {@code
 * epost-disk} (the POST local state's writes), the proxies' own threads.
 */
public final class Daemon implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.epost.mail.daemon");

  /** How long one step on the node's loop may take (creating services: no network waits). */
  static final long LOOP_STEP_MILLIS = 10_000;

  private final DataDirectory data;
  private final DaemonConfig config;
  private static final PostNode.Config POST_CONFIG = PostNode.Config.defaults();

  private final Optional<MailParts> parts;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<LocalAccount> accounts = new ArrayList<>();
  private final Map<String, String> notServed = new LinkedHashMap<>();
  private final long startNanos = System.nanoTime();
  private ExecutorService disk;
  private NodeRuntime node;
  private PostNode post;
  private ImapServer imap;
  private SmtpProxy smtp;
  private SmtpFrontDoor smtpDoor;
  private SmtpProxy gateway;
  private String gatewayAddressName;
  private List<String> domains = List.of();
  private volatile String phase = "starting";
  // desktop (issue 18): who hears of phase changes and verified new mail (the tray)
  private final DaemonListener listener;
  // desktop (issue 18): the local status page, when status.listen is not off
  private volatile org.epost.mail.status.StatusPage statusPage;

  /** One account this daemon serves. */
  static final class LocalAccount {
    final AccountDirectory dir;
    final UserIdentity identity;
    final DirectoryEntry entry;
    final String password;
    final AccountListener listener;
    PostNode.User user;
    AccountServices services;
    MailAccount mail;
    MailParts.AccountSubmission submission;
    MailParts.AccountDelivery delivery;

    LocalAccount(
        AccountDirectory dir, UserIdentity identity, DirectoryEntry entry, String password) {
      this.dir = dir;
      this.identity = identity;
      this.entry = entry;
      this.password = password;
      this.listener = new AccountListener(dir.address(), AccountListener.MAX_HELD);
    }
  }

  /** What an open account hears: arrivals go to its delivery, sent states to its submission. */
  private record AccountEvents(
      MailParts.AccountDelivery delivery, MailParts.AccountSubmission submission)
      implements NotificationListener {
    @Override
    public CompletionStage<Void> received(ReceivedNotification notification) {
      return delivery.received(notification);
    }

    @Override
    public void stateChanged(NotificationStatus status) {
      submission.stateChanged(status);
    }
  }

  private Daemon(
      DataDirectory data, DaemonConfig config, Optional<MailParts> parts, DaemonListener listener) {
    this.data = data;
    this.config = config;
    this.parts = parts;
    this.listener = listener;
  }

  /**
   * The accounts' keys, unlocked with the passphrase once, so a paused daemon can start again
   * without asking (ADR 0134). Holds private keys: only the process that unlocked them keeps them.
   */
  public static final class Keys {
    private final Map<AccountDirectory, UserIdentity> identities;

    private Keys(Map<AccountDirectory, UserIdentity> identities) {
      this.identities = identities;
    }

    /**
     * Unlocks every account's key file in {@code data} with {@code passphrase}.
     *
     * @throws IOException if a key file is unreadable or the passphrase is wrong
     */
    public static Keys unlock(DataDirectory data, char[] passphrase) throws IOException {
      Map<AccountDirectory, UserIdentity> ids = new LinkedHashMap<>();
      for (AccountDirectory a : data.accounts()) {
        ids.put(a, Enrolments.unlock(a, passphrase));
      }
      return new Keys(Collections.unmodifiableMap(ids));
    }
  }

  /**
   * Starts the daemon on {@code data} with {@code config}, unlocking every account's key file with
   * {@code passphrase}, with the mail parts this build has ({@link InstalledMailParts}).
   *
   * @throws IOException if a file is missing or wrong, the data directory is in use, a listen
   *     address is taken, or the ring is not reached in time; nothing is left running
   */
  public static Daemon start(DataDirectory data, DaemonConfig config, char[] passphrase)
      throws IOException {
    return start(data, config, passphrase, InstalledMailParts.get());
  }

  /**
   * As {@link #start(DataDirectory, DaemonConfig, char[])} with keys unlocked already, telling
   * {@code listener} of phase changes and verified new mail (the tray).
   */
  public static Daemon start(
      DataDirectory data, DaemonConfig config, Keys keys, DaemonListener listener)
      throws IOException {
    return start(data, config, keys, InstalledMailParts.get(), listener);
  }

  static Daemon start(
      DataDirectory data, DaemonConfig config, char[] passphrase, Optional<MailParts> parts)
      throws IOException {
    return start(data, config, Keys.unlock(data, passphrase), parts, new DaemonListener() {});
  }

  static Daemon start(
      DataDirectory data,
      DaemonConfig config,
      Keys keys,
      Optional<MailParts> parts,
      DaemonListener listener)
      throws IOException {
    Daemon d = new Daemon(data, config, parts, listener);
    try {
      d.startAll(keys);
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    } catch (InterruptedException e) {
      d.close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting", e);
    }
    return d;
  }

  private void startAll(Keys keys) throws IOException, InterruptedException {
    SigningPublicKey authority = RingFiles.authorityPublicKey(data);
    Optional<RingFiles.Invitation> invitation = RingFiles.invitation(data);
    // key unlocking happened before (Keys.unlock), so a wrong passphrase costs nothing
    phase("unlocking keys");
    List<LocalAccount> candidates = new ArrayList<>();
    SecureRandom random = new SecureRandom();
    for (Map.Entry<AccountDirectory, UserIdentity> k : keys.identities.entrySet()) {
      AccountDirectory a = k.getKey();
      UserIdentity id = k.getValue();
      DirectoryEntry entry;
      try {
        entry = Enrolments.readEntry(a, authority);
      } catch (IOException e) {
        notServed.put(a.address(), "not signed yet: " + e.getMessage());
        LOG.log(Level.WARNING, "{0} is not served: {1}", a.address(), e.getMessage());
        continue;
      }
      if (!entry.certificate().signingKey().equals(id.signing().publicKey())) {
        throw new IOException(
            a.entryFile() + " certifies other keys than " + a.keyFile() + "; re-enrol the account");
      }
      candidates.add(new LocalAccount(a, id, entry, Enrolments.proxyPassword(a, random)));
    }
    domains = ringDomains(invitation, candidates);

    phase("starting the node");
    List<InetSocketAddress> boots = new ArrayList<>(config.nodeBootstraps());
    if (boots.isEmpty() && invitation.isPresent()) {
      boots.addAll(invitation.get().bootstraps());
    }
    InetSocketAddress listen = config.nodeListen();
    boots.removeIf(b -> b.equals(listen)); // this node itself: never its own bootstrap
    disk =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "epost-disk");
              t.setDaemon(true);
              return t;
            });
    node =
        NodeRuntimes.start(
            NodeConfig.builder(data.nodeDir(), listen)
                .bootstraps(boots)
                .quotaBytes(config.nodeQuotaBytes())
                .statusLines(this::statusLines)
                .applicationCommands(this::applicationCommand)
                .build());
    phase("joining the ring");
    if (!node.awaitReady(config.nodeReadyTimeout().toMillis())) {
      throw new IOException(
          "the node did not join the ring through "
              + boots
              + " within "
              + config.nodeReadyTimeout().toSeconds()
              + " s (node.ready-timeout-seconds); are the bootstraps up?");
    }
    LoopBridge bridge = node.bridge();
    Scheduler loop = onLoop(() -> node.overlay().environment().scheduler());
    PendingItemStore pending =
        PostNode.pendingStoreOnDisk(data.postDir().resolve("pending"), disk, loop, POST_CONFIG);
    DirectoryLocalState directoryState = // marks and revocation list (ADR 0109)
        PostNode.directoryStateOnDisk(
            data.postDir().resolve("directory"), authority, disk, loop, POST_CONFIG);
    post =
        onLoop(
            () ->
                PostNode.create(
                    node.overlay(),
                    node.past(),
                    node.scribe(),
                    authority,
                    pending,
                    directoryState,
                    POST_CONFIG));
    if (parts.isEmpty()) {
      for (LocalAccount a : candidates) {
        notServed.put(a.dir.address(), InstalledMailParts.MISSING);
      }
      LOG.log(Level.WARNING, InstalledMailParts.MISSING);
      startStatusPage();
      phase("running");
      return;
    }
    for (LocalAccount a : candidates) {
      phase("opening " + a.dir.address());
      openAccount(a, bridge);
      accounts.add(a);
    }
    if (!accounts.isEmpty()) {
      phase("starting the listeners");
      startListeners();
    }
    startStatusPage();
    phase("running");
  }

  // ---- desktop (issue 18): the status page ----

  /**
   * Starts the status page on {@code status.listen} behind the node's control token; a port that is
   * taken costs the page only (a warning), never the mail.
   */
  private void startStatusPage() throws IOException {
    Optional<InetSocketAddress> at = config.statusListen();
    if (at.isEmpty()) {
      return;
    }
    String token = org.epost.mail.status.ControlToken.read(data.nodeDir());
    try {
      statusPage =
          org.epost.mail.status.StatusPage.start(at.get(), token, new DaemonStatusSource(this));
    } catch (IOException e) {
      notServed.put(
          "status page",
          "cannot listen on "
              + RingFiles.hostPort(at.get())
              + " (status.listen): "
              + e.getMessage());
      LOG.log(Level.WARNING, "no status page: {0}", e.getMessage());
    }
  }

  /** Sets the phase and tells the listener. */
  private void phase(String p) {
    phase = p;
    try {
      listener.stateChanged(p);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "daemon listener failed: {0}", e.toString());
    }
  }

  private void verifiedMail(org.epost.mail.delivery.NewMail m) {
    try {
      listener.verifiedMail(m);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "daemon listener failed: {0}", e.toString());
    }
  }

  /**
   * The health the status page shows (ADR 0131): {@code online}, {@code syncing}, {@code offline}
   * or {@code problem}; reads the node's control port and the accounts' log counters (blocks up to
   * a few seconds; never call it on the node's loop).
   */
  public String health() {
    if (closed.get()) {
      return "offline";
    }
    return org.epost.mail.status.StatusPage.health(new DaemonStatusSource(this));
  }

  /** What a mail client needs for each served account (IMAP and SMTP on loopback), in order. */
  public List<org.epost.mail.api.ClientSettings> clientSettings() {
    List<org.epost.mail.api.ClientSettings> out = new ArrayList<>();
    if (imap == null || smtp == null) {
      return out;
    }
    for (LocalAccount a : accounts) {
      out.add(
          new org.epost.mail.api.ClientSettings(
              a.dir.address(), a.password, imap.localAddress(), smtp.address()));
    }
    return out;
  }

  /** The status page, when it runs. */
  public Optional<org.epost.mail.status.StatusPage> statusPage() {
    return Optional.ofNullable(statusPage);
  }

  List<LocalAccount> localAccounts() {
    return Collections.unmodifiableList(accounts);
  }

  private List<String> ringDomains(
      Optional<RingFiles.Invitation> invitation, List<LocalAccount> accounts) {
    Set<String> d = new LinkedHashSet<>(config.ringDomains());
    if (d.isEmpty() && invitation.isPresent()) {
      d.addAll(invitation.get().domains());
    }
    if (d.isEmpty()) {
      for (LocalAccount a : accounts) {
        d.add(a.dir.address().substring(a.dir.address().indexOf('@') + 1));
      }
    }
    return List.copyOf(d);
  }

  private void openAccount(LocalAccount a, LoopBridge bridge)
      throws IOException, InterruptedException {
    MailParts mp = parts.orElseThrow();
    String device = Enrolments.device(a.dir);
    // Exclusive: the node runtime holds this data directory's lock (DATA/node/lock) for the
    // process's lifetime, so no other process uses the account's state and any earlier one has
    // ended; after a crash her logs are taken over at once, not after the quiet period (ADR 0108).
    PostNode.UserState state =
        PostNode.UserState.onDiskExclusive(
            a.dir.postState(),
            disk,
            onLoop(() -> node.overlay().environment().scheduler()),
            POST_CONFIG,
            new SecureRandom());
    a.user =
        onLoop(() -> post.attach(a.identity, a.entry.certificate(), device, state, a.listener));
    if (!java.nio.file.Files.exists(a.dir.enrolledMarker())) {
      long n =
          await(
              () ->
                  Enrolment.complete(
                      post.directory(),
                      a.user.logs(),
                      new AccountLog(),
                      a.entry,
                      a.identity,
                      System.currentTimeMillis()),
              "publishing " + a.dir.address() + "'s directory entry");
      DataDirectory.writeAtomically(
          a.dir.enrolledMarker(), ("account log operations " + n + "\n").getBytes(), false);
    }
    a.services =
        new AccountServices(
            a.identity, a.entry.certificate(), a.user, post.directory(), bridge, a.dir.mailState());
    DataDirectory.createPrivateDirectory(a.dir.mailState());
    DataDirectory.createPrivateDirectory(a.dir.submitState());
    a.mail = wait(mp.open(a.services, device, config), "opening " + a.dir.address() + "'s mail");
    a.delivery =
        mp.delivery(
            a.mail,
            a.services,
            domains.isEmpty() ? config.smtpHostname() : domains.get(0),
            config,
            this::verifiedMail);
    a.submission = mp.submission(a.mail, a.services, config);
    onLoop(
        () -> {
          a.listener.install(new AccountEvents(a.delivery, a.submission));
          return null;
        });
  }

  private void startListeners() throws IOException, InterruptedException {
    PostMailboxBackend imapBackend = new PostMailboxBackend();
    Map<String, MailParts.AccountSubmission> smtpTable = new LinkedHashMap<>();
    Map<String, String> passwords = new LinkedHashMap<>();
    for (LocalAccount a : accounts) {
      String key = a.dir.address().toLowerCase(Locale.ROOT);
      imapBackend.register(key, a.password, a.mail);
      smtpTable.put(key, a.submission);
      passwords.put(a.dir.address(), a.password);
    }
    Path spool = data.root().resolve("spool");
    DataDirectory.createPrivateDirectory(spool.resolve("imap"));
    DataDirectory.createPrivateDirectory(spool.resolve("smtp"));
    ImapServerConfig d = ImapServerConfig.defaults();
    ImapServerConfig ic =
        new ImapServerConfig(
            config.imapListen(),
            d.maxLineLength(),
            d.maxLiteralSize(),
            d.literalMemoryThreshold(),
            d.maxLiteralsPerCommand(),
            d.maxNesting(),
            d.maxPipelinedCommands(),
            d.idleTimeout(),
            d.backendTimeout(),
            d.workerThreads(),
            spool.resolve("imap"),
            d.structureCacheEntries(),
            d.limits());
    try {
      imap = ImapServers.start(ic, imapBackend);
    } catch (RuntimeException e) {
      throw new IOException(
          "cannot listen for IMAP on "
              + RingFiles.hostPort(config.imapListen())
              + " (imap.listen): "
              + e.getMessage(),
          e);
    }
    smtpDoor = new SmtpFrontDoor(smtpTable);
    SmtpServerConfig sc =
        SmtpServerConfig.submission(Set.copyOf(domains), PasswordVerifier.ofTable(passwords))
            .withBindAddress(config.smtpListen().getAddress())
            .withPort(config.smtpListen().getPort())
            .withHostName(config.smtpHostname())
            .withMaxMessageBytes(config.smtpMaxMessageBytes())
            .withSpoolDirectory(spool.resolve("smtp"));
    Optional<RelayConfig> relay = Optional.empty();
    if (config.smarthostHost().isPresent()) {
      Path queue = data.root().resolve("relay");
      DataDirectory.createPrivateDirectory(queue);
      relay = SmtpWiring.relay(queue, smarthost());
    }
    smtp = SmtpProxy.start(sc, smtpDoor, relay);
    if (config.gatewayListen().isPresent()) {
      startGateway(spool);
    }
  }

  /** The smarthost as {@code smarthost.*} says (ADR 0116): host, port, TLS policy, AUTH. */
  private SmtpWiring.Smarthost smarthost() throws IOException {
    Optional<String> user = Optional.empty();
    Optional<String> password = Optional.empty();
    String u = config.get(DaemonConfig.Key.SMARTHOST_USER);
    if (!u.isEmpty()) {
      String pf = config.get(DaemonConfig.Key.SMARTHOST_PASSWORD_FILE);
      if (pf.isEmpty()) {
        throw new IOException("smarthost.user is set but smarthost.password-file is not");
      }
      user = Optional.of(u);
      password =
          Optional.of(new String(Passphrases.obtain(Path.of(pf), "smarthost password", false)));
    }
    try {
      return new SmtpWiring.Smarthost(
          config.smarthostHost().orElseThrow(),
          config.smarthostPort(),
          config.smarthostTls(),
          user,
          password,
          config.smtpHostname());
    } catch (IllegalArgumentException e) {
      throw new IOException("smarthost.*: " + e.getMessage(), e);
    }
  }

  /**
   * The Internet gateway (ADR 0116, 0128): the proxy in gateway mode for the ring's domains, its
   * per-IP limits, storing every message as the gateway account through that account's sender.
   */
  private void startGateway(Path spool) throws IOException {
    InetSocketAddress listen = config.gatewayListen().orElseThrow();
    String address = config.gatewayAccount().orElse(null);
    LocalAccount gatewayAccount = null;
    if (address == null && accounts.size() == 1) {
      gatewayAccount = accounts.get(0);
    }
    for (LocalAccount a : accounts) {
      if (a.dir.address().equalsIgnoreCase(String.valueOf(address))) {
        gatewayAccount = a;
      }
    }
    if (gatewayAccount == null) {
      throw new IOException(
          address == null
              ? "gateway.listen is set but gateway.account is not, and this directory serves "
                  + accounts.size()
                  + " accounts; name the gateway's account"
              : "gateway.account "
                  + address
                  + " is not served by this daemon (enrol it here: epost enrol "
                  + address
                  + ")");
    }
    SubmissionBackend backend =
        parts
            .orElseThrow()
            .gateway(gatewayAccount.submission)
            .orElseThrow(() -> new IOException("this build's mail parts have no gateway"));
    DataDirectory.createPrivateDirectory(spool.resolve("gateway"));
    SmtpWiring.GatewayLimits d = SmtpWiring.GatewayLimits.defaults();
    SmtpWiring.GatewayLimits limits =
        new SmtpWiring.GatewayLimits(
            config.gatewayMessagesPerMinute(),
            d.trackedAddresses(),
            config.gatewayConnectionsPerIp(),
            d.maxConnections(),
            d.maxMessageBytes(),
            d.maxRecipients());
    SmtpServerConfig gc =
        SmtpWiring.gateway(
                Set.copyOf(domains),
                listen.getAddress(),
                listen.getPort(),
                config.gatewayHostname(),
                limits)
            .withSpoolDirectory(spool.resolve("gateway"));
    try {
      gateway = SmtpProxy.start(gc, smtpDoor.gated(backend), Optional.empty());
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "cannot listen for Internet mail on "
              + RingFiles.hostPort(listen)
              + " (gateway.listen): "
              + e.getMessage(),
          e);
    }
    gatewayAddressName = gatewayAccount.dir.address();
    LOG.log(
        Level.INFO,
        "Internet gateway for {0} on {1}, storing as {2}",
        domains,
        RingFiles.hostPort(gateway.address()),
        gatewayAddressName);
  }

  // ---- what the CLI and the demo read ----

  /** The data directory. */
  public DataDirectory dataDirectory() {
    return data;
  }

  /** The node runtime (its id, address, control port). */
  public NodeRuntime node() {
    return node;
  }

  /** Where the IMAP proxy listens, if it runs. */
  public Optional<InetSocketAddress> imapAddress() {
    return Optional.ofNullable(imap).map(ImapServer::localAddress);
  }

  /** Where SMTP submission listens, if it runs. */
  public Optional<InetSocketAddress> smtpAddress() {
    return Optional.ofNullable(smtp).map(SmtpProxy::address);
  }

  /** Where the Internet gateway listens, if it runs ({@code gateway.listen}). */
  public Optional<InetSocketAddress> gatewayAddress() {
    return Optional.ofNullable(gateway).map(SmtpProxy::address);
  }

  /** The account the Internet gateway stores as, if it runs. */
  public Optional<String> gatewayAccount() {
    return Optional.ofNullable(gateway == null ? null : gatewayAddressName);
  }

  /** The addresses of the accounts this daemon serves, in order. */
  public List<String> servedAccounts() {
    List<String> out = new ArrayList<>();
    for (LocalAccount a : accounts) {
      out.add(a.dir.address());
    }
    return out;
  }

  /** The open mail account of {@code address}, if served. */
  public Optional<MailAccount> account(String address) {
    for (LocalAccount a : accounts) {
      if (a.dir.address().equalsIgnoreCase(address)) {
        return Optional.ofNullable(a.mail);
      }
    }
    return Optional.empty();
  }

  /** Accounts with a key file that are not served, and why. */
  public Map<String, String> notServed() {
    return Collections.unmodifiableMap(notServed);
  }

  /** The daemon's state now. */
  public DaemonStatus status() {
    List<DaemonStatus.Account> list = new ArrayList<>();
    int outbox = 0;
    for (LocalAccount a : accounts) {
      int o = a.submission == null ? 0 : a.submission.outboxSize();
      outbox += o;
      list.add(new DaemonStatus.Account(a.dir.address(), "open", o));
    }
    notServed.forEach((addr, why) -> list.add(new DaemonStatus.Account(addr, why, 0)));
    List<DaemonStatus.Listener> listeners = new ArrayList<>();
    imapAddress().ifPresent(a -> listeners.add(new DaemonStatus.Listener("imap", a)));
    smtpAddress().ifPresent(a -> listeners.add(new DaemonStatus.Listener("smtp", a)));
    gatewayAddress().ifPresent(a -> listeners.add(new DaemonStatus.Listener("gateway", a)));
    statusPage().ifPresent(p -> listeners.add(new DaemonStatus.Listener("status", p.address())));
    return new DaemonStatus(
        phase,
        parts.isPresent(),
        (System.nanoTime() - startNanos) / 1_000_000_000L,
        list,
        listeners,
        outbox,
        smtp == null ? 0 : smtp.queuedForRelay());
  }

  private List<String> statusLines() {
    return status().lines();
  }

  /**
   * The daemon's commands on the node's control port ({@code APP ...}): {@code mail-status
   * MESSAGE-ID} answers what the sending account's delivery ledger says, one line per recipient,
   * each prefixed with the sending account.
   */
  private List<String> applicationCommand(String text) {
    String[] words = text.trim().split("\\s+", 2);
    if (words[0].equals("status-page")) { // desktop (issue 18): a one-time URL of the page
      return statusPage()
          .map(p -> List.of("url " + p.oneTimeUrl(words.length == 2 ? words[1] : "/")))
          .orElse(List.of("error the status page is off (status.listen)"));
    }
    if (words[0].equals("revocations-publish")) { // 'epost ring revoke' (ADR 0109)
      return publishRevocations(words.length == 2 ? words[1] : "");
    }
    if (words.length != 2 || !words[0].equals("mail-status")) {
      return List.of("error usage: APP mail-status MESSAGE-ID");
    }
    List<String> out = new ArrayList<>();
    for (LocalAccount a : accounts) {
      if (a.submission != null) {
        for (String line : a.submission.deliveryStatus(words[1])) {
          out.add(a.dir.address() + " " + line);
        }
      }
    }
    return out;
  }

  /**
   * Publishes a revocation list the authority signed (base64 of its ring object) through this node:
   * installed here, pushed on the ring's topic, stored in PAST (ADR 0109).
   */
  private List<String> publishRevocations(String base64) {
    if (post == null) {
      return List.of("error the POST services are not running yet");
    }
    byte[] bytes;
    try {
      bytes = java.util.Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      return List.of("error not base64: " + e.getMessage());
    }
    try {
      int n = await(() -> post.revocations().publish(bytes), "publishing the revocation list");
      return List.of(
          "ok version " + onLoop(() -> post.revocations().status().version()) + " replicas " + n);
    } catch (IOException | RuntimeException e) {
      return List.of("error " + e.getMessage());
    }
  }

  // ---- stopping ----

  /** Stops everything in reverse start order (see the class comment); idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    phase("stopping");
    if (statusPage != null) {
      quietly("the status page", statusPage::close);
    }
    Duration grace = config.shutdownGrace();
    if (smtpDoor != null) {
      smtpDoor.stopTaking();
      try {
        if (!smtpDoor.awaitIdle(grace)) {
          LOG.log(
              Level.WARNING,
              "{0} submissions still running after {1} s; their clients get no 250 and retry",
              smtpDoor.inFlight(),
              grace.toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (gateway != null) {
      quietly("the Internet gateway", gateway::close);
    }
    if (smtp != null) {
      quietly("SMTP submission", smtp::close);
    }
    if (imap != null) {
      quietly("the IMAP proxy", imap::close);
    }
    for (LocalAccount a : reversed(accounts)) {
      if (a.submission != null) {
        quietly(a.dir.address() + "'s submission", () -> a.submission.close(grace));
      }
    }
    if (node != null && post != null) {
      quietly(
          "delivery",
          () ->
              onLoop(
                  () -> {
                    for (LocalAccount a : accounts) {
                      a.listener.close();
                    }
                    return null;
                  }));
      for (LocalAccount a : accounts) {
        if (a.delivery != null) {
          quietly(a.dir.address() + "'s delivery", a.delivery::close);
        }
      }
    }
    for (LocalAccount a : reversed(accounts)) {
      if (a.mail != null) {
        quietly(a.dir.address() + "'s account", a.mail::close);
      }
    }
    if (node != null && post != null) {
      quietly(
          "POST",
          () ->
              onLoop(
                  () -> {
                    post.stop();
                    return null;
                  }));
    }
    if (node != null) {
      quietly("the node", node::close);
    }
    if (disk != null) {
      disk.shutdown();
      try {
        if (!disk.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.log(Level.WARNING, "local state writes did not finish within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    phase("stopped");
  }

  private static <T> List<T> reversed(List<T> l) {
    List<T> r = new ArrayList<>(l);
    Collections.reverse(r);
    return r;
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(String what, Step s) {
    try {
      s.run();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "stopping {0} failed: {1}", what, e.toString());
    }
  }

  // ---- the node's loop ----

  private <T> T onLoop(Supplier<T> f) throws IOException {
    try {
      return node.bridge().get(f, Runnable::run).get(LOOP_STEP_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException("the node's loop failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("the node's loop did not answer within " + LOOP_STEP_MILLIS + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Starts {@code op} on the loop and waits for its stage, within the ready timeout. */
  private <T> T await(Supplier<? extends CompletionStage<T>> op, String what) throws IOException {
    CompletableFuture<T> f = node.bridge().call(op, Runnable::run);
    return wait(f, what);
  }

  private <T> T wait(CompletionStage<T> stage, String what) throws IOException {
    try {
      return stage
          .toCompletableFuture()
          .get(config.nodeReadyTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException(
          what + " took longer than " + config.nodeReadyTimeout().toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted " + what, e);
    }
  }
}
