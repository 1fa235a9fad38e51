package org.epost.simulator.mail;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.VerificationMemo;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.ReplicaKnowledge;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;
import org.epost.overlay.past.api.PastStatistics;
import org.epost.overlay.past.store.MemoryObjectStore;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.DirectoryStatus;
import org.epost.post.api.LogApplication;
import org.epost.post.api.LogContents;
import org.epost.post.api.LogException;
import org.epost.post.api.LogId;
import org.epost.post.api.LogStatus;
import org.epost.post.api.LogWriter;
import org.epost.post.api.MessageRef;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.NotifyStatistics;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRole;
import org.epost.post.api.ReceivedNotification;
import org.epost.post.api.StoreStatistics;
import org.epost.post.directory.AccountLog;
import org.epost.post.directory.CertificateRequest;
import org.epost.post.directory.DirectoryAuthority;
import org.epost.post.directory.Enrolment;
import org.epost.post.log.MemoryLogLocalState;
import org.epost.post.log.SignedLogs;
import org.epost.post.node.PostNode;
import org.epost.post.notify.MemoryPendingItemStore;
import org.epost.post.notify.NotifyConfig;
import org.epost.post.notify.NotifyLocalState;
import org.epost.post.store.MemoryLeaseLedger;
import org.epost.simulator.api.ProgressListener;
import org.epost.simulator.churn.ByzantineStore;
import org.epost.simulator.churn.Churn;
import org.epost.simulator.churn.ObservedRouter;

/**
 * The mail experiment (ADR 0105): one user per simulated node, every node running real Pastry,
 * PAST, Scribe and the POST services ({@link PostNode}); users enrolled through the real directory;
 * a Poisson mail workload over the shared churn model ({@link Churn}) with optional byzantine
 * storers. A message is stored once through the sender's message store, filed in the sender's Sent
 * log and announced to each recipient through the notification service; the recipient files the
 * reference in its INBOX log when the notification arrives. Single-threaded over one {@link
 * Simulation}: same seed, same run.
 */
public final class MailExperiment {
  static final long MINUTE = 60_000L;
  static final long HOUR = 60 * MINUTE;
  static final long DAY = 24 * HOUR;
  static final String DEVICE = "desktop";
  static final String INBOX = "INBOX";
  static final String SENT = "Sent";
  private static final long FILE_RETRY_MILLIS = 5_000;
  private static final long FILE_RETRY_MAX_MILLIS = 60_000;
  private static final int FILE_BATCH = 64;
  private static final long ENROL_RETRY_MILLIS = 10_000;
  private static final int VERIFY_PREFIX_BYTES = 64 * 1024;
  private static final int MAX_VERIFIED_MESSAGES_PER_USER = 20;
  private static final int MEMO_SIGNATURES = 1 << 20;
  private static final long MEMO_BYTES = 512L << 20;

  private final MailConfig cfg;
  private final ProgressListener progress;
  private final Simulation sim;
  private final SplittableRandom random;
  private final PastConfig pastConfig;
  private final PostNode.Config postConfig;
  private final DirectoryAuthority authority;
  private final Churn<Member> churn;
  private final List<Member> members = new ArrayList<>();
  private final List<Msg> messages = new ArrayList<>();
  private final Map<MessageRef, Msg> byRef = new HashMap<>();
  private final Totals retired = new Totals();
  private final List<long[]> hourly = new ArrayList<>();
  private int nextUser;
  private long startMillis;
  private long endMillis;
  private long totalMillis;
  private long wallStart;
  private String phase = "build";
  // counters
  private long sendSkippedNoSender;
  private long storeFailures;
  private long storeAbandoned;
  private long directoryFailures;
  private long notifyFailures;
  private long notifyAbandoned;
  private long sentFiled;
  private long sentFileFailures;
  private long inboxConflicts;
  private long inboxUnavailable;
  private long inboxOtherFailures;
  private long enrolFailures;
  private long corruptArrivedAtHonest;
  private long receivedUnknown;
  private long onlineWentAway;
  private final List<Long> onlineLatency = new ArrayList<>();
  private final List<Long> onlineFiledLatency = new ArrayList<>();
  private final List<Long> endToEnd = new ArrayList<>();
  private final List<Long> returnDelay = new ArrayList<>();
  private final List<Long> returnFiledDelay = new ArrayList<>();
  private final Verification verification = new Verification();
  private final SharedBytesStore.Pool sharedBytes = new SharedBytesStore.Pool();

  /** One user and its node; what it keeps on disk survives its offline periods. */
  private final class Member {
    final int index;
    final Id id;
    final String address;
    final ObjectStore store;
    final boolean byzantine;
    final ReplicaKnowledge knowledge = new ReplicaKnowledge();
    final RefList inboxApp = new RefList();
    final RefList sentApp = new RefList();
    final ArrayDeque<MessageRef> toFile = new ArrayDeque<>();

    /** Hand-overs waiting for their reference's INBOX append (ADR 0106), this session only. */
    final Map<MessageRef, List<CompletableFuture<Void>>> waiting = new HashMap<>();

    final List<MessageRef> filed = new ArrayList<>();
    UserIdentity identity;
    UserCertificate certificate;
    DirectoryEntry entry;
    PostNode.UserState state;
    SimulatedNode node;
    Past past;
    PostNode post;
    PostNode.User user;
    LogWriter inbox;
    LogWriter sent;
    boolean enrolled;
    boolean enrolling;
    boolean departed;
    boolean filing;
    long fileRetry = FILE_RETRY_MILLIS;
    int session;
    long sessionStart;

    Member(int index, Id id, ObjectStore store, boolean byzantine) {
      this.index = index;
      this.id = id;
      this.address = "user" + index + "@ring.example";
      this.store = store;
      this.byzantine = byzantine;
    }

    boolean online() {
      return node != null && node.isReady();
    }
  }

  /** One message as the experiment's oracle knows it. */
  private static final class Msg {
    final int index;
    final int kind;
    final Member sender;
    final long createdAt;
    final List<Delivery> deliveries = new ArrayList<>();
    long rawBytes;
    MessageRef ref;
    long storedAt = -1;

    Msg(int index, int kind, Member sender, long createdAt) {
      this.index = index;
      this.kind = kind;
      this.sender = sender;
      this.createdAt = createdAt;
    }
  }

  /** One message to one recipient. */
  private static final class Delivery {
    final Member recipient;
    long notifiedAt = -1; // send() called
    boolean recipientOnlineAtSend;
    int recipientSessionAtSend;
    long ackedAt = -1; // NOTIFIED: a majority of the pending store holds it
    long receivedAt = -1; // the recipient's listener heard it
    long filedAt = -1; // a head holding it in the recipient's INBOX log is stored

    Delivery(Member recipient) {
      this.recipient = recipient;
    }
  }

  public MailExperiment(MailConfig cfg, ProgressListener progress) {
    this.cfg = cfg;
    this.progress = progress;
    PastryConfig pastry = new PastryConfig(24, 20_000, 50_000, 500, 5 * MINUTE, 5_000);
    this.sim = Simulation.builder().seed(cfg.seed()).pastryConfig(pastry).build();
    this.random = new SplittableRandom(cfg.seed() ^ 0x3A11L);
    this.pastConfig = PastConfig.defaults().withReplicas(cfg.replicas());
    this.postConfig = PostNode.Config.defaults();
    SecureRandom authorityRandom = seeded(cfg.seed() ^ 0xA07L);
    this.authority =
        new DirectoryAuthority(SigningKeyPair.generate(authorityRandom), authorityRandom);
    this.churn =
        new Churn<>(
            sim,
            random,
            new Churn.Model(
                cfg.sessionMean(),
                cfg.offlineMean(),
                cfg.departuresPerDay(),
                cfg.users(),
                cfg.correlatedFraction(),
                cfg.correlatedAt()),
            new ChurnSide(),
            line -> {});
  }

  /** Runs the whole experiment and returns its figures. */
  public MailSummary run() {
    wallStart = System.nanoTime();
    // ADR 0135: the simulated nodes verify the same signed bytes many times over; computed once.
    VerificationMemo.install(MEMO_SIGNATURES, MEMO_BYTES);
    totalMillis =
        cfg.users() * 20L + 2 * MINUTE + cfg.duration().toMillis() + cfg.drain().toMillis();
    buildRing();
    enrolAll();
    startMillis = sim.nowMillis();
    endMillis = startMillis + cfg.duration().toMillis();
    churn.start(endMillis);
    scheduleMail();
    phase = "mail";
    long next = startMillis;
    long nextHour = startMillis + HOUR;
    while (sim.nowMillis() < endMillis) {
      next = Math.min(endMillis, next + MINUTE);
      step(next);
      if (sim.nowMillis() >= nextHour || sim.nowMillis() >= endMillis) {
        sampleHour();
        nextHour += HOUR;
      }
    }
    drain();
    verify();
    progress.progress(
        "done", sim.nowMicros(), sim.nowMicros(), sim.eventsRun(), sim.liveNodes().size());
    return summarize((System.nanoTime() - wallStart) / 1e9);
  }

  private void step(long untilMillis) {
    sim.runUntilMicros(untilMillis * 1000);
    progress.progress(
        phase,
        sim.nowMicros(),
        Math.max(totalMillis * 1000, sim.nowMicros()),
        sim.eventsRun(),
        sim.liveNodes().size());
  }

  private void runFor(long millis) {
    long end = sim.nowMillis() + millis;
    while (sim.nowMillis() < end) {
      step(Math.min(end, sim.nowMillis() + MINUTE));
    }
  }

  // ---- ring, nodes, users ----

  private void buildRing() {
    SimulatedNode first = sim.createRing();
    start(newMember(first.id(), true), first);
    for (int i = 1; i < cfg.users(); i++) {
      sim.runFor(20);
      SimulatedNode n = sim.addNode();
      start(newMember(n.id(), false), n);
    }
    runFor(2 * MINUTE);
  }

  private Member newMember(Id id, boolean first) {
    boolean byz = !first && random.nextDouble() < cfg.byzantine();
    MemoryObjectStore mem = new MemoryObjectStore(Long.MAX_VALUE / 4);
    ObjectStore store =
        new SharedBytesStore(
            byz
                ? new ByzantineStore(mem, ByzantineStore.Behaviour.values()[random.nextInt(4)])
                : mem,
            sharedBytes);
    Member m = new Member(nextUser++, id, store, byz);
    members.add(m);
    return m;
  }

  /** Starts the member's services on {@code node} (a new node, or the member's returning one). */
  private void start(Member m, SimulatedNode node) {
    m.node = node;
    m.session++;
    m.waiting.clear(); // the previous session's service is gone with its hand-overs
    m.sessionStart = sim.nowMillis();
    KeyBasedRouter router =
        m.byzantine || cfg.byzantine() == 0
            ? node.overlay() // no liar in the run: nothing for the witness to see
            : new ObservedRouter(node.overlay(), () -> corruptArrivedAtHonest++);
    m.past = PastNodes.create(router, m.store, Runnable::run, pastConfig, m.knowledge);
    // A simulated node loses the pending items it stored for others with its process (memory).
    m.post =
        PostNode.create(
            node.overlay(),
            m.past,
            authority.publicKey(),
            new MemoryPendingItemStore(),
            postConfig);
    if (m.enrolled) {
      attachUser(m);
      kickFiling(m);
    }
  }

  private void attachUser(Member m) {
    m.user = m.post.attach(m.identity, m.certificate, DEVICE, m.state, new Listener(m));
    m.inbox = m.user.logs().writer(INBOX, m.inboxApp);
    m.sent = m.user.logs().writer(SENT, m.sentApp);
    m.filing = false;
    m.fileRetry = FILE_RETRY_MILLIS;
  }

  /** The member's node goes away; a clean shutdown first closes its log writers. */
  private void stop(Member m, boolean crash) {
    if (m.user != null) {
      if (!crash) {
        m.inbox.close();
        m.sent.close();
      }
      retired.add(m);
    }
    retired.addPast(m.past.statistics(), m.byzantine);
    Past past = m.past;
    PostNode post = m.post;
    m.user = null;
    m.inbox = null;
    m.sent = null;
    m.past = null;
    m.post = null;
    m.session++;
    post.stop();
    past.stop();
    sim.fail(m.node);
    m.node = null;
  }

  private final class ChurnSide implements Churn.Ring<Member> {
    @Override
    public List<Member> members() {
      return members;
    }

    @Override
    public boolean isOnline(Member m) {
      return m.node != null;
    }

    @Override
    public boolean hasDeparted(Member m) {
      return m.departed;
    }

    @Override
    public void takeOffline(Member m, boolean crash) {
      stop(m, crash);
    }

    @Override
    public void bringBack(Member m, List<Address> boot) {
      start(m, sim.addNode(m.id, boot));
    }

    @Override
    public Member replace(Member m) {
      if (m.node != null) {
        stop(m, false);
      }
      m.departed = true;
      members.remove(m);
      SimulatedNode n = sim.addNode();
      Member fresh = newMember(n.id(), false);
      start(fresh, n);
      enrolWhenReady(fresh);
      return fresh;
    }
  }

  private void enrolAll() {
    phase = "enrol";
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      sim.schedule(i * 20L, () -> enrol(m));
    }
    long deadline = sim.nowMillis() + members.size() * 20L + 10 * MINUTE;
    while (sim.nowMillis() < deadline && !allEnrolled()) {
      step(sim.nowMillis() + 10_000);
    }
  }

  private boolean allEnrolled() {
    for (Member m : members) {
      if (!m.enrolled) {
        return false;
      }
    }
    return true;
  }

  private void enrolWhenReady(Member m) {
    sim.schedule(
        ENROL_RETRY_MILLIS,
        () -> {
          if (m.departed || m.enrolled) {
            return;
          }
          if (m.online() && !m.enrolling) {
            enrol(m);
          }
          enrolWhenReady(m);
        });
  }

  /**
   * Enrols the member through the real path: keys from the node's secure generator, a signed
   * request, the authority's entry, published by the user's node with the account log created.
   */
  private void enrol(Member m) {
    if (m.enrolled || m.enrolling || m.node == null) {
      return;
    }
    NodeEnvironment env = m.node.overlay().environment();
    if (m.identity == null) {
      m.identity = Enrolment.generate(env.random().secure());
      CertificateRequest req =
          Enrolment.request(
              m.address, m.identity, env.clock().wallInstant(), env.random().secure());
      DirectoryEntry entry =
          authority.enrol(req.encode(), env.clock().wallInstant(), Duration.ofDays(365));
      m.certificate = entry.certificate();
      m.state =
          new PostNode.UserState(
              new MemoryLogLocalState(),
              new NotifyLocalState(postConfig.notification()),
              new MemoryLeaseLedger());
      m.entry = entry;
    }
    if (m.user == null) {
      attachUser(m);
    }
    m.enrolling = true;
    int session = m.session;
    Enrolment.complete(
            m.post.userDirectory(),
            m.user.logs(),
            new AccountLog(),
            m.entry,
            m.identity,
            env.clock().wallMillis())
        .whenComplete(
            (ops, t) -> {
              m.enrolling = false;
              if (t == null) {
                m.enrolled = true;
              } else {
                enrolFailures++;
                if (m.session == session && !m.departed) {
                  sim.schedule(ENROL_RETRY_MILLIS, () -> enrol(m));
                }
              }
            });
  }

  // ---- workload ----

  private void scheduleMail() {
    if (cfg.messagesPerUserPerDay() <= 0) {
      return;
    }
    double perMillis = cfg.messagesPerUserPerDay() * cfg.users() / DAY;
    sim.schedule(
        churn.exp(1 / perMillis),
        () -> {
          if (sim.nowMillis() >= endMillis) {
            return;
          }
          sendOne();
          scheduleMail();
        });
  }

  private Member pick(boolean online, Member exclude, List<Member> taken) {
    List<Member> pool = new ArrayList<>();
    for (Member m : members) {
      if (m.enrolled && m != exclude && !taken.contains(m) && (m.online() == online)) {
        pool.add(m);
      }
    }
    return pool.isEmpty() ? null : pool.get(random.nextInt(pool.size()));
  }

  private int kind() {
    int total = 0;
    for (int w : cfg.sizeMix()) {
      total += w;
    }
    int r = random.nextInt(total);
    for (int k = 0; k < 4; k++) {
      r -= cfg.sizeMix().get(k);
      if (r < 0) {
        return k;
      }
    }
    return 3;
  }

  private void sendOne() {
    Member sender = pick(true, null, List.of());
    if (sender == null || sender.user == null) {
      sendSkippedNoSender++;
      return;
    }
    int count = 1 + random.nextInt(cfg.maxRecipients());
    List<Member> to = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      boolean offline = random.nextDouble() < cfg.offlineRecipientShare();
      Member r = pick(!offline, sender, to);
      if (r == null) {
        r = pick(offline, sender, to);
      }
      if (r != null) {
        to.add(r);
      }
    }
    if (to.isEmpty()) {
      sendSkippedNoSender++;
      return;
    }
    Msg msg = new Msg(messages.size(), kind(), sender, sim.nowMillis());
    messages.add(msg);
    for (Member r : to) {
      msg.deliveries.add(new Delivery(r));
    }
    List<PartInput> parts = new ArrayList<>();
    byte[][] p = parts(msg);
    for (int i = 0; i < p.length; i++) {
      parts.add(PartInput.of(ROLES[msg.kind < 2 ? 0 : 1][i], i == 0 ? "" : "" + i, p[i]));
      msg.rawBytes += p[i].length;
    }
    int session = sender.session;
    sender
        .user
        .store()
        .store(parts)
        .whenComplete(
            (stored, t) -> {
              if (sender.session != session) {
                storeAbandoned++;
                return;
              }
              if (t != null) {
                storeFailures++;
                return;
              }
              msg.ref = stored.ref();
              msg.storedAt = sim.nowMillis();
              byRef.put(stored.ref(), msg);
              sender.user.store().hold(stored.ref(), stored.expiryWallMillis());
              fileSent(sender, session, stored.ref());
              for (Delivery d : msg.deliveries) {
                notify(msg, d, session);
              }
            });
  }

  private static final PartRole[][] ROLES = {
    {PartRole.HEADER, PartRole.BODY},
    {PartRole.HEADER, PartRole.STRUCTURE, PartRole.BODY, PartRole.ATTACHMENT}
  };

  /** The message's parts, regenerated from its index and kind (the oracle's copy). */
  private byte[][] parts(Msg msg) {
    long seed = cfg.seed() * 1_000_003L + msg.index * 7L;
    return switch (msg.kind) {
      case 0 -> new byte[][] {bytes(seed, 800), bytes(seed + 1, 1_500)};
      case 1 -> new byte[][] {bytes(seed, 1_000), bytes(seed + 1, 4_000)};
      default ->
          new byte[][] {
            bytes(seed, 1_200),
            bytes(seed + 1, 300),
            bytes(seed + 2, 2_000),
            bytes(seed + 3, msg.kind == 2 ? cfg.smallAttachmentBytes() : cfg.largeAttachmentBytes())
          };
    };
  }

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private void fileSent(Member sender, int session, MessageRef ref) {
    sender.sentApp.add(ref.encode());
    sender
        .sent
        .append(ref.encode())
        .whenComplete(
            (seq, t) -> {
              if (t == null) {
                sentFiled++;
              } else if (sender.session == session) {
                sentFileFailures++;
              }
            });
  }

  /** The sender looks the recipient up in the directory and sends the notification. */
  private void notify(Msg msg, Delivery d, int session) {
    Member sender = msg.sender;
    sender
        .post
        .directory()
        .lookup(d.recipient.address)
        .whenComplete(
            (record, t) -> {
              if (sender.session != session) {
                notifyAbandoned++;
                return;
              }
              if (t != null) {
                directoryFailures++;
                return;
              }
              d.notifiedAt = sim.nowMillis();
              d.recipientOnlineAtSend = d.recipient.online();
              d.recipientSessionAtSend = d.recipient.session;
              sender
                  .user
                  .notifications()
                  .send(record.certificate(), msg.ref.encode(), new byte[] {(byte) msg.kind})
                  .whenComplete(
                      (id, f) -> {
                        if (f == null) {
                          d.ackedAt = sim.nowMillis();
                        } else if (sender.session != session) {
                          notifyAbandoned++;
                        } else {
                          notifyFailures++;
                        }
                      });
            });
  }

  /**
   * What the recipient's application does on a notification: queue the reference for filing, and
   * answer (ADR 0106) once the INBOX append that files it has completed, so the notification is
   * acknowledged only when the member's INBOX log holds it.
   */
  private final class Listener implements NotificationListener {
    private final Member m;

    Listener(Member m) {
      this.m = m;
    }

    @Override
    public CompletionStage<Void> received(ReceivedNotification n) {
      MessageRef ref;
      try {
        ref = MessageRef.decode(n.messageReference());
      } catch (CryptoFormatException e) {
        receivedUnknown++;
        return CompletableFuture.completedFuture(null); // nothing to file: acknowledged
      }
      Msg msg = byRef.get(ref);
      Delivery d = msg == null ? null : deliveryTo(msg, m);
      if (d == null) {
        receivedUnknown++;
        return CompletableFuture.completedFuture(null);
      }
      if (d.filedAt >= 0) {
        return CompletableFuture.completedFuture(null); // already in the INBOX log
      }
      CompletableFuture<Void> held = new CompletableFuture<>();
      m.waiting.computeIfAbsent(ref, k -> new ArrayList<>()).add(held);
      if (d.receivedAt >= 0) {
        return held; // queued for filing already (an earlier session or hand-over)
      }
      d.receivedAt = sim.nowMillis();
      long from = d.notifiedAt >= 0 ? d.notifiedAt : msg.storedAt;
      if (d.recipientOnlineAtSend) {
        if (d.recipientSessionAtSend == m.session) {
          onlineLatency.add(d.receivedAt - from);
        } else {
          onlineWentAway++;
        }
      } else if (m.sessionStart > from) {
        returnDelay.add(d.receivedAt - m.sessionStart);
      }
      m.toFile.add(ref);
      if (m.user != null) {
        m.user.store().hold(ref, 0);
      }
      sim.schedule(0, () -> kickFiling(m));
      return held;
    }
  }

  private static Delivery deliveryTo(Msg msg, Member m) {
    for (Delivery d : msg.deliveries) {
      if (d.recipient == m) {
        return d;
      }
    }
    return null;
  }

  /** Appends what waits in the member's local queue to its INBOX log, in one head write. */
  private void kickFiling(Member m) {
    if (m.filing || m.toFile.isEmpty() || m.inbox == null) {
      return;
    }
    List<MessageRef> batch = new ArrayList<>();
    List<byte[]> ops = new ArrayList<>();
    for (MessageRef r : m.toFile) {
      if (batch.size() == FILE_BATCH) {
        break;
      }
      batch.add(r);
      ops.add(r.encode());
    }
    for (byte[] op : ops) {
      m.inboxApp.add(op);
    }
    m.filing = true;
    int session = m.session;
    m.inbox
        .append(ops)
        .whenComplete(
            (seq, t) -> {
              if (m.session != session) {
                return;
              }
              m.filing = false;
              if (t != null) {
                countInboxFailure(t);
                m.inboxApp.dropLast(ops.size());
                long delay = m.fileRetry;
                m.fileRetry = Math.min(FILE_RETRY_MAX_MILLIS, m.fileRetry * 2);
                sim.schedule(
                    delay,
                    () -> {
                      if (m.session == session) {
                        kickFiling(m);
                      }
                    });
                return;
              }
              m.fileRetry = FILE_RETRY_MILLIS;
              for (int i = 0; i < batch.size(); i++) {
                m.toFile.poll();
              }
              long now = sim.nowMillis();
              for (MessageRef r : batch) {
                m.filed.add(r);
                List<CompletableFuture<Void>> held = m.waiting.remove(r);
                if (held != null) {
                  held.forEach(f -> f.complete(null));
                }
                Msg msg = byRef.get(r);
                Delivery d = deliveryTo(msg, m);
                if (d.filedAt < 0) {
                  d.filedAt = now;
                  long from = d.notifiedAt >= 0 ? d.notifiedAt : msg.storedAt;
                  if (d.recipientOnlineAtSend && d.recipientSessionAtSend == m.session) {
                    onlineFiledLatency.add(now - from);
                    endToEnd.add(now - msg.createdAt);
                  } else if (!d.recipientOnlineAtSend && m.sessionStart > from) {
                    returnFiledDelay.add(now - m.sessionStart);
                  }
                }
              }
              kickFiling(m);
            });
  }

  private void countInboxFailure(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof LogException.WriterConflict) {
      inboxConflicts++;
    } else if (cause instanceof LogException.Unavailable) {
      inboxUnavailable++;
    } else {
      inboxOtherFailures++;
    }
  }

  /**
   * A folder's state as the email application keeps it: the list of message references, one
   * 100-byte operation each; its snapshot is their concatenation.
   */
  static final class RefList implements LogApplication {
    final List<byte[]> refs = new ArrayList<>();

    void add(byte[] op) {
      refs.add(op);
    }

    void dropLast(int n) {
      for (int i = 0; i < n && !refs.isEmpty(); i++) {
        refs.remove(refs.size() - 1);
      }
    }

    @Override
    public void catchUp(LogContents missed) {
      if (missed.hasSnapshot()) {
        refs.clear();
        refs.addAll(decode(missed.snapshot()));
      }
      int keep = (int) missed.fromSequence();
      while (refs.size() > keep) {
        refs.remove(refs.size() - 1);
      }
      refs.addAll(missed.operations());
    }

    @Override
    public byte[] snapshot(long sequence) {
      byte[] out = new byte[(int) Math.min(sequence, refs.size()) * 100];
      for (int i = 0; i * 100 < out.length; i++) {
        System.arraycopy(refs.get(i), 0, out, i * 100, Math.min(100, refs.get(i).length));
      }
      return out;
    }

    static List<byte[]> decode(byte[] snapshot) {
      List<byte[]> out = new ArrayList<>();
      for (int i = 0; i + 100 <= snapshot.length; i += 100) {
        out.add(Arrays.copyOfRange(snapshot, i, i + 100));
      }
      return out;
    }
  }

  // ---- end of run ----

  /** The churn stops, every remaining user comes back, and the ring delivers what waits. */
  private void drain() {
    churn.stop();
    phase = "drain";
    for (Member m : new ArrayList<>(members)) {
      if (m.node == null && !m.departed) {
        List<Address> boot = Churn.bootstraps(sim);
        if (!boot.isEmpty()) {
          start(m, sim.addNode(m.id, boot));
        }
      }
    }
    runFor(cfg.drain().toMillis());
  }

  /** What the end-of-run read-back found. */
  private static final class Verification {
    long users;
    long folderOpens;
    long folderOpenFailures;
    final List<Long> objectsFetched = new ArrayList<>();
    final List<Long> openMillis = new ArrayList<>();
    long largestFolder;
    long entriesMissing;
    long messagesOpened;
    long messagesCorrupt;
    long messageReadFailures;
  }

  /**
   * For up to {@code verifyUsers} users: opens the INBOX with an empty cache (a new log session
   * with empty local state), checks that every reference the oracle saw filed is there, and opens
   * up to 20 of the filed messages, comparing each part's length and first 64 KiB with what was
   * sent.
   */
  private void verify() {
    phase = "verify";
    List<Member> sample = new ArrayList<>();
    for (Member m : members) {
      if (sample.size() < cfg.verifyUsers() && m.user != null && !m.filed.isEmpty()) {
        sample.add(m);
      }
    }
    for (Member m : sample) {
      if (m.user == null) {
        continue;
      }
      verification.users++;
      NodeEnvironment env = m.node.overlay().environment();
      SignedLogs fresh =
          SignedLogs.create(
              m.past,
              env,
              m.identity.signing(),
              DEVICE,
              new MemoryLogLocalState(),
              postConfig.log());
      long t0 = sim.nowMillis();
      LogContents c =
          await(
              fresh.read(new LogId(m.identity.signing().publicKey(), DEVICE, INBOX), 0),
              2 * MINUTE);
      verification.folderOpens++;
      if (c == null) {
        verification.folderOpenFailures++;
        continue;
      }
      verification.openMillis.add(sim.nowMillis() - t0);
      verification.objectsFetched.add(fresh.status().objectsFetched());
      List<byte[]> ops = new ArrayList<>();
      if (c.hasSnapshot()) {
        ops.addAll(RefList.decode(c.snapshot()));
      }
      ops.addAll(c.operations());
      verification.largestFolder = Math.max(verification.largestFolder, ops.size());
      List<MessageRef> present = new ArrayList<>();
      for (byte[] op : ops) {
        try {
          present.add(MessageRef.decode(op));
        } catch (CryptoFormatException e) {
          // not one of ours: counted as missing below
        }
      }
      for (MessageRef r : m.filed) {
        if (!present.contains(r)) {
          verification.entriesMissing++;
        }
      }
      int opened = 0;
      for (MessageRef r : m.filed) {
        if (opened++ >= MAX_VERIFIED_MESSAGES_PER_USER) {
          break;
        }
        verifyMessage(m, byRef.get(r));
      }
    }
  }

  private void verifyMessage(Member m, Msg msg) {
    verification.messagesOpened++;
    OpenedMessage opened = await(m.user.store().open(msg.ref), 2 * MINUTE);
    if (opened == null) {
      verification.messageReadFailures++;
      return;
    }
    byte[][] expected = parts(msg);
    if (opened.parts().size() != expected.length) {
      verification.messagesCorrupt++;
      return;
    }
    for (int i = 0; i < expected.length; i++) {
      PartInfo p = opened.parts().get(i);
      if (p.length() != expected[i].length) {
        verification.messagesCorrupt++;
        return;
      }
      int n = Math.min(VERIFY_PREFIX_BYTES, expected[i].length);
      byte[] got = await(m.user.store().read(p.ref(), 0, n), 2 * MINUTE);
      if (got == null) {
        verification.messageReadFailures++;
        return;
      }
      if (!Arrays.equals(got, Arrays.copyOf(expected[i], n))) {
        verification.messagesCorrupt++;
        return;
      }
    }
  }

  /**
   * Runs the simulation until {@code stage} completes; its value, or null on failure or timeout.
   */
  private <T> T await(CompletionStage<T> stage, long maxMillis) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    long end = sim.nowMillis() + maxMillis;
    while (!f.isDone() && sim.nowMillis() < end) {
      sim.runFor(10);
    }
    if (!f.isDone() || f.isCompletedExceptionally()) {
      return null;
    }
    return f.join();
  }

  // ---- measurement ----

  /** Counters of services that stopped (sessions that ended), summed. */
  private static final class Totals {
    long repairBytes;
    long availabilityRepairBytes;
    long digestBytes;
    long auditBytes;
    long pastCorruptionsDetected;
    long auditFailures;
    long storeBytesInserted;
    long storeBytesFetched;
    long storeBlocksRenewed;
    long storeCorruptBlocks;
    long messagesStored;
    long logHeadWrites;
    long logBlockWrites;
    long logSnapshotWrites;
    long logObjectsFetched;
    long rollbacks;
    long equivocations;
    long logCorruptions;
    long writerConflicts;
    long notifySent;
    long notifyRejectedSeal;
    long notifyRejectedSender;
    long notifyRejectedReplay;
    long notifyDuplicates;
    long notifyFetches;
    long directoryRollbacks;
    long directoryForged;

    void add(Member m) {
      StoreStatistics s = m.user.store().statistics();
      storeBytesInserted += s.bytesInserted();
      storeBytesFetched += s.bytesFetched();
      storeBlocksRenewed += s.blocksRenewed();
      storeCorruptBlocks += s.corruptBlocks();
      messagesStored += s.messagesStored();
      LogStatus l = m.user.logs().status();
      logHeadWrites += l.headWrites();
      logBlockWrites += l.blockWrites();
      logSnapshotWrites += l.snapshotWrites();
      logObjectsFetched += l.objectsFetched();
      rollbacks += l.rollbacksRejected();
      equivocations += l.equivocationsProven();
      logCorruptions += l.corruptionsDetected();
      writerConflicts += l.writerConflicts();
      NotifyStatistics n = m.user.notifications().statistics();
      notifySent += n.sent();
      notifyRejectedSeal += n.rejectedSeal();
      notifyRejectedSender += n.rejectedSender();
      notifyRejectedReplay += n.rejectedReplay();
      notifyDuplicates += n.duplicates();
      notifyFetches += n.fetches();
      DirectoryStatus d = m.post.userDirectory().status();
      directoryRollbacks += d.rollbacksRejected();
      directoryForged += d.forgedEntries();
    }

    void addPast(PastStatistics s, boolean byzantine) {
      repairBytes += s.repairBytesSent();
      availabilityRepairBytes += s.availabilityRepairBytesSent();
      digestBytes += s.digestBytesSent();
      auditBytes += s.auditBytesSent();
      if (!byzantine) {
        pastCorruptionsDetected += s.corruptionsDetected();
        auditFailures += s.auditFailures();
      }
    }

    Totals plus(Totals o) {
      Totals t = new Totals();
      java.lang.reflect.Field[] fields = Totals.class.getDeclaredFields();
      try {
        for (java.lang.reflect.Field f : fields) {
          if (f.getType() == long.class) {
            f.setLong(t, f.getLong(this) + f.getLong(o));
          }
        }
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
      return t;
    }
  }

  /** Retired sessions plus the sessions running now. */
  private Totals totals() {
    Totals live = new Totals();
    for (Member m : members) {
      if (m.user != null) {
        live.add(m);
      }
      if (m.past != null) {
        live.addPast(m.past.statistics(), m.byzantine);
      }
    }
    return retired.plus(live);
  }

  private long waiting() {
    long n = 0;
    for (Msg msg : messages) {
      for (Delivery d : msg.deliveries) {
        if (d.ackedAt >= 0 && d.filedAt < 0 && !d.recipient.departed) {
          n++;
        }
      }
    }
    return n;
  }

  private void sampleHour() {
    long acked = 0;
    long filed = 0;
    for (Msg msg : messages) {
      for (Delivery d : msg.deliveries) {
        acked += d.ackedAt >= 0 ? 1 : 0;
        filed += d.filedAt >= 0 ? 1 : 0;
      }
    }
    hourly.add(
        new long[] {
          hourly.size(),
          sim.liveNodes().size(),
          messages.size(),
          acked,
          filed,
          waiting(),
          sim.traffic().applicationBytes(PastNodes.APPLICATION_ID),
          sim.traffic().applicationBytes(NotifyConfig.APPLICATION_ID),
          sim.traffic().applicationBytes(ScribeConfig.defaults().applicationId())
        });
  }

  static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> s = new ArrayList<>(values);
    s.sort(Long::compare);
    int i = (int) Math.ceil(p * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }

  private static Double seconds(long millis) {
    return millis < 0 ? Double.NaN : millis / 1000.0;
  }

  private MailSummary summarize(double wallSeconds) {
    Totals t = totals();
    long deliveries = 0;
    long acked = 0;
    long received = 0;
    long filed = 0;
    long lost = 0;
    long lostReceived = 0;
    long toDeparted = 0;
    long notAcked = 0;
    long messagesStored = 0;
    long messagesAcked = 0;
    long messagesLost = 0;
    long messagesDeliveredAll = 0;
    long rawBytes = 0;
    long offlineAtSend = 0;
    for (Msg msg : messages) {
      if (msg.storedAt < 0) {
        continue;
      }
      messagesStored++;
      rawBytes += msg.rawBytes;
      boolean allAcked = true;
      boolean anyLost = false;
      boolean allFiled = true;
      for (Delivery d : msg.deliveries) {
        deliveries++;
        if (d.ackedAt < 0) {
          allAcked = false;
          notAcked++;
          continue;
        }
        acked++;
        offlineAtSend += d.recipientOnlineAtSend ? 0 : 1;
        received += d.receivedAt >= 0 ? 1 : 0;
        filed += d.filedAt >= 0 ? 1 : 0;
        if (d.filedAt < 0) {
          if (d.recipient.departed) {
            toDeparted++;
          } else {
            lost++;
            lostReceived += d.receivedAt >= 0 ? 1 : 0;
            anyLost = true;
            allFiled = false;
          }
        }
      }
      messagesAcked += allAcked ? 1 : 0;
      messagesLost += anyLost ? 1 : 0;
      messagesDeliveredAll += allAcked && allFiled ? 1 : 0;
    }
    long storedBytes = 0;
    long pendingBytes = 0;
    int honest = 0;
    for (Member m : members) {
      if (!m.byzantine) {
        storedBytes += m.store.usedBytes();
        honest++;
      }
      if (m.post != null) {
        pendingBytes += m.post.notifyNode().statistics().bytes();
      }
    }
    double seconds = Math.max(1, cfg.duration().toMillis() + cfg.drain().toMillis()) / 1000.0;
    double perNode = cfg.users() * seconds;
    long pastWire = sim.traffic().applicationBytes(PastNodes.APPLICATION_ID);
    long notifyWire = sim.traffic().applicationBytes(NotifyConfig.APPLICATION_ID);
    long scribeWire = sim.traffic().applicationBytes(ScribeConfig.defaults().applicationId());
    long total = sim.traffic().totalBytes();
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("experiment", "mail");
    f.put("nodes", cfg.users());
    f.put("users", cfg.users());
    f.put("seed", cfg.seed());
    f.put("session_mean_seconds", cfg.sessionMean().toMillis() / 1000.0);
    f.put("offline_mean_seconds", cfg.offlineMean().toMillis() / 1000.0);
    f.put("departures_per_day", cfg.departuresPerDay());
    f.put("duration_seconds", cfg.duration().toMillis() / 1000.0);
    f.put("drain_seconds", cfg.drain().toMillis() / 1000.0);
    f.put("correlated_failure_fraction", cfg.correlatedFraction());
    f.put("correlated_failure_at_seconds", cfg.correlatedAt().toMillis() / 1000.0);
    f.put("byzantine", cfg.byzantine());
    f.put("replicas", cfg.replicas());
    f.put("messages_per_user_per_day", cfg.messagesPerUserPerDay());
    f.put(
        "size_mix",
        cfg.sizeMix().get(0)
            + ":"
            + cfg.sizeMix().get(1)
            + ":"
            + cfg.sizeMix().get(2)
            + ":"
            + cfg.sizeMix().get(3));
    f.put("small_attachment_bytes", cfg.smallAttachmentBytes());
    f.put("large_attachment_bytes", cfg.largeAttachmentBytes());
    f.put("max_recipients", cfg.maxRecipients());
    f.put("offline_recipient_share", cfg.offlineRecipientShare());
    // outcome
    f.put("users_enrolled", members.stream().filter(m -> m.enrolled).count());
    f.put("enrolment_failures", enrolFailures);
    f.put("messages_sent", (long) messages.size());
    f.put("messages_stored", messagesStored);
    f.put("store_failures", storeFailures);
    f.put("store_abandoned_sender_offline", storeAbandoned);
    f.put("messages_acknowledged", messagesAcked);
    f.put("messages_delivered_to_every_recipient", messagesDeliveredAll);
    f.put("messages_lost", messagesLost);
    f.put("deliveries", deliveries);
    f.put("deliveries_acknowledged", acked);
    f.put("deliveries_not_acknowledged", notAcked);
    f.put("deliveries_received", received);
    f.put("deliveries_filed", filed);
    f.put("deliveries_lost", lost);
    f.put("deliveries_lost_received_not_filed", lostReceived);
    f.put("deliveries_to_departed_recipients", toDeparted);
    f.put("deliveries_to_recipient_offline_at_send", offlineAtSend);
    f.put("directory_lookup_failures", directoryFailures);
    f.put("notify_failures", notifyFailures);
    f.put("notify_abandoned_sender_offline", notifyAbandoned);
    f.put("sent_log_appends", sentFiled);
    f.put("sent_log_append_failures", sentFileFailures);
    f.put("inbox_append_failures_writer_conflict", inboxConflicts);
    f.put("inbox_append_failures_unavailable", inboxUnavailable);
    f.put("inbox_append_failures_other", inboxOtherFailures);
    f.put("sends_skipped_no_online_user", sendSkippedNoSender);
    f.put("received_unknown", receivedUnknown);
    // latency
    f.put("online_samples", (long) onlineLatency.size());
    f.put("online_recipient_left_before_delivery", onlineWentAway);
    f.put("delivery_p50_seconds", seconds(percentile(onlineLatency, 0.50)));
    f.put("delivery_p95_seconds", seconds(percentile(onlineLatency, 0.95)));
    f.put("delivery_p99_seconds", seconds(percentile(onlineLatency, 0.99)));
    f.put("filed_p50_seconds", seconds(percentile(onlineFiledLatency, 0.50)));
    f.put("filed_p95_seconds", seconds(percentile(onlineFiledLatency, 0.95)));
    f.put("filed_p99_seconds", seconds(percentile(onlineFiledLatency, 0.99)));
    f.put("end_to_end_p50_seconds", seconds(percentile(endToEnd, 0.50)));
    f.put("end_to_end_p99_seconds", seconds(percentile(endToEnd, 0.99)));
    f.put("return_samples", (long) returnDelay.size());
    f.put("return_to_delivery_p50_seconds", seconds(percentile(returnDelay, 0.50)));
    f.put("return_to_delivery_p95_seconds", seconds(percentile(returnDelay, 0.95)));
    f.put("return_to_delivery_p99_seconds", seconds(percentile(returnDelay, 0.99)));
    f.put("return_to_filed_p50_seconds", seconds(percentile(returnFiledDelay, 0.50)));
    f.put("return_to_filed_p99_seconds", seconds(percentile(returnFiledDelay, 0.99)));
    // storage
    f.put("raw_message_bytes", rawBytes);
    f.put("stored_bytes_honest_stores", storedBytes);
    f.put("honest_stores", honest);
    f.put("pending_store_bytes", pendingBytes);
    f.put(
        "storage_over_raw",
        rawBytes == 0 ? Double.NaN : (storedBytes + pendingBytes) / (double) rawBytes);
    f.put("storage_per_user_bytes", (storedBytes + pendingBytes) / (double) members.size());
    // bandwidth per node by kind (bytes per node per second of mail and drain)
    f.put("bytes_per_node_per_s", total / perNode);
    f.put("past_bytes_per_node_per_s", pastWire / perNode);
    f.put(
        "store_payload_bytes_per_node_per_s",
        (t.storeBytesInserted * cfg.replicas() + t.storeBytesFetched) / perNode);
    f.put("repair_bytes_per_node_per_s", t.repairBytes / perNode);
    f.put("availability_repair_bytes_per_node_per_s", t.availabilityRepairBytes / perNode);
    f.put("digest_bytes_per_node_per_s", t.digestBytes / perNode);
    f.put("audit_bytes_per_node_per_s", t.auditBytes / perNode);
    f.put("notification_bytes_per_node_per_s", scribeWire / perNode);
    f.put("pending_bytes_per_node_per_s", notifyWire / perNode);
    f.put("overlay_bytes_per_node_per_s", (total - pastWire - notifyWire - scribeWire) / perNode);
    f.put("log_head_writes", t.logHeadWrites);
    f.put("log_block_writes", t.logBlockWrites);
    f.put("log_snapshot_writes", t.logSnapshotWrites);
    f.put("log_objects_fetched", t.logObjectsFetched);
    f.put("store_blocks_renewed", t.storeBlocksRenewed);
    f.put("notify_fetches", t.notifyFetches);
    // folder open (INBOX, empty cache) at the end
    f.put("folder_opens", verification.folderOpens);
    f.put("folder_open_failures", verification.folderOpenFailures);
    f.put("folder_largest_entries", verification.largestFolder);
    f.put(
        "folder_open_objects_avg",
        verification.objectsFetched.stream()
            .mapToLong(Long::longValue)
            .average()
            .orElse(Double.NaN));
    f.put(
        "folder_open_objects_max",
        verification.objectsFetched.stream().mapToLong(Long::longValue).max().orElse(-1));
    f.put("folder_open_p50_seconds", seconds(percentile(verification.openMillis, 0.5)));
    f.put("folder_open_max_seconds", seconds(percentile(verification.openMillis, 1.0)));
    f.put("inbox_entries_missing", verification.entriesMissing);
    f.put("messages_verified", verification.messagesOpened);
    f.put("messages_verified_corrupt", verification.messagesCorrupt);
    f.put("messages_verified_unreadable", verification.messageReadFailures);
    // integrity: forks, rollbacks, corruption
    f.put("log_rollbacks_detected", t.rollbacks);
    f.put("log_equivocations_proven", t.equivocations);
    f.put("log_corruptions_detected", t.logCorruptions);
    f.put("log_writer_conflicts", t.writerConflicts);
    f.put("directory_rollbacks_detected", t.directoryRollbacks);
    f.put("directory_forged_entries", t.directoryForged);
    f.put("notify_rejected_seal", t.notifyRejectedSeal);
    f.put("notify_rejected_sender", t.notifyRejectedSender);
    f.put("notify_rejected_replay", t.notifyRejectedReplay);
    f.put("store_corrupt_blocks_detected", t.storeCorruptBlocks);
    f.put("past_corruptions_detected", t.pastCorruptionsDetected);
    f.put("corruptions_served", corruptArrivedAtHonest);
    f.put("audit_failures_seen_by_honest_nodes", t.auditFailures);
    // churn
    f.put("permanent_departures", churn.departures());
    f.put("offline_events", churn.offlineEvents());
    f.put("correlated_failures", churn.correlatedFailures());
    f.put("live_nodes_end", sim.liveNodes().size());
    f.put("sim_seconds", sim.nowMillis() / 1000.0);
    f.put("events", sim.eventsRun());
    f.put("wall_seconds", wallSeconds);
    return new MailSummary(f, hourly, distribution(onlineLatency), distribution(returnDelay));
  }

  /** Values at percentiles 0..100, in seconds (empty if no sample). */
  private static double[] distribution(List<Long> millis) {
    if (millis.isEmpty()) {
      return new double[0];
    }
    double[] out = new double[101];
    for (int p = 0; p <= 100; p++) {
      out[p] = percentile(millis, p / 100.0) / 1000.0;
    }
    return out;
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
