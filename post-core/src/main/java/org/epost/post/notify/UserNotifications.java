package org.epost.post.notify;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.OpenedEnvelope;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.seal.Sealer;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.ScribeClient;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.post.api.NotificationFailure;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.NotificationState;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.Notifications;
import org.epost.post.api.NotifyException;
import org.epost.post.api.NotifyStatistics;
import org.epost.post.api.ReceivedNotification;

/** One user's notification service on a {@link NotifyNode} (ADR 0103). Loop-confined. */
final class UserNotifications implements Notifications, ScribeClient {
  private static final long READY_CHECK_MILLIS = 100;
  private static final long ACK_FLUSH_MILLIS = 50;
  private static final int MAX_PENDING_ACKS = 4096;
  private static final int MAX_FETCH_RETRIES = 5;

  private final NotifyNode node;
  private final NodeEnvironment env;
  private final NotifyConfig config;
  private final UserIdentity identity;
  private final UserCertificate certificate;
  private final SenderVerifier verifier;
  private final NotifyLocalState state;
  private final NotificationListener listener;
  private final Sealer sealer;
  final Id inbox;
  private final byte[] rateTokenSecret; // one signature at start, not one per notification
  private final TopicId topic;
  private final Set<NotificationId> inProgress = new HashSet<>();
  private final java.util.LinkedHashMap<String, Boolean> rejected = new java.util.LinkedHashMap<>();
  private final LinkedHashSet<String> pendingAcks = new LinkedHashSet<>();
  private static final int MAX_QUEUED_RECEIPTS = 4096;
  private final Map<SigningPublicKey, ReceiptBatch> receipts = new HashMap<>();
  private final Map<SigningPublicKey, SendBatch> sends = new HashMap<>();
  private final Map<String, ItemReceipts> itemReceipts = new HashMap<>();

  /** Room beyond a batch's entries: the payload's own fields and the sealed envelope's. */
  private static final int SEAL_OVERHEAD = 1024;

  private int queuedReceipts;
  private Cancellable ackTimer;
  private Cancellable readyTimer;
  private Cancellable safetyTimer;
  private CompletableFuture<Integer> fetchRound;
  private Cancellable fetchTimer;
  private boolean fetchAnswered;
  private boolean fetchMore;
  private int fetchRetries;
  private int roundDelivered;
  private boolean started;
  private boolean stopped;
  private final long[] c = new long[11];

  UserNotifications(
      NotifyNode node,
      UserIdentity identity,
      UserCertificate certificate,
      SenderVerifier verifier,
      NotifyLocalState state,
      NotificationListener listener) {
    this.node = node;
    this.env = node.router.environment();
    this.config = node.config;
    this.identity = identity;
    this.certificate = certificate;
    this.verifier = verifier;
    this.state = state;
    this.listener = listener;
    this.sealer = new Sealer(env.random().secure());
    this.inbox = Keys.inbox(identity.signing().publicKey());
    this.topic = Keys.topic(identity.signing().publicKey());
    this.rateTokenSecret = Keys.rateTokenSecret(identity.signing());
  }

  // ---------------------------------------------------------------- life cycle

  void start() {
    if (stopped || started) {
      return;
    }
    if (!node.router.isReady()) {
      readyTimer = env.scheduler().schedule(READY_CHECK_MILLIS, this::start);
      return;
    }
    started = true;
    subscribe();
    fetch();
    scheduleSafetyFetch();
  }

  private void subscribe() {
    if (stopped) {
      return;
    }
    node.scribe
        .subscribe(topic, this)
        .whenComplete(
            (v, e) -> {
              if (e != null
                  && !stopped
                  && !(e instanceof java.util.concurrent.CancellationException)) {
                env.scheduler().schedule(1_000, this::subscribe);
              }
            });
  }

  private void scheduleSafetyFetch() {
    safetyTimer =
        env.scheduler()
            .schedule(
                config.safetyFetchMillis(),
                () -> {
                  if (!stopped) {
                    fetch();
                    scheduleSafetyFetch();
                  }
                });
  }

  @Override
  public void stop() {
    LoopConfinement.check(env.scheduler(), "Notifications.stop");
    if (stopped) {
      return;
    }
    stopped = true;
    for (Cancellable t : new Cancellable[] {readyTimer, safetyTimer, ackTimer, fetchTimer}) {
      if (t != null) {
        t.cancel();
      }
    }
    if (started) {
      node.scribe.unsubscribe(topic);
    }
    if (fetchRound != null) {
      fetchRound.completeExceptionally(new NotifyException.Unavailable("stopped"));
    }
    for (SendBatch b : sends.values()) { // not sealed yet: they fail as unreachable
      for (PendingSend p : b.waiting) {
        fail(p.o(), NotificationFailure.UNREACHABLE);
        p.result().completeExceptionally(new NotifyException.Unavailable("stopped"));
      }
      b.waiting.clear();
    }
    node.detach(this);
  }

  /** Called by the node's maintenance: sent notifications past their retention have failed. */
  void maintenance() {
    long now = env.clock().wallMillis();
    for (NotifyLocalState.Outgoing o : state.live()) {
      if (o.expiresAt + config.clockSkewMillis() <= now) {
        fail(o, NotificationFailure.EXPIRED);
      }
    }
  }

  // ---------------------------------------------------------------- sending

  @Override
  public CompletionStage<NotificationId> send(
      UserCertificate recipient, byte[] messageReference, byte[] partSummary) {
    LoopConfinement.check(env.scheduler(), "Notifications.send");
    if (messageReference.length > config.maxReferenceBytes()
        || partSummary.length > config.maxSummaryBytes()) {
      return CompletableFuture.failedFuture(
          new NotifyException.LimitExceeded(
              "message reference or part summary over the bound ("
                  + config.maxReferenceBytes()
                  + " / "
                  + config.maxSummaryBytes()
                  + " bytes)"));
    }
    if (stopped || !node.router.isReady()) {
      return CompletableFuture.failedFuture(
          new NotifyException.Unavailable("this node has not joined the ring or was stopped"));
    }
    long now = env.clock().wallMillis();
    byte[] raw = new byte[NotificationId.LENGTH];
    env.random().secure().nextBytes(raw);
    NotificationId id = NotificationId.of(raw);
    long expiresAt = now + config.retentionMillis();
    NotifyLocalState.Outgoing o =
        new NotifyLocalState.Outgoing(
            id, recipient.address(), recipient.signingKey(), expiresAt, now);
    if (!state.add(o)) {
      return CompletableFuture.failedFuture(
          new NotifyException.LimitExceeded(
              "the outbox holds " + config.outboxCapacity() + " notifications still in flight"));
    }
    c[0]++;
    listener.stateChanged(o.status());
    CompletableFuture<NotificationId> result = new CompletableFuture<>();
    SendBatch b = sends.computeIfAbsent(recipient.signingKey(), k -> new SendBatch(recipient));
    b.recipient = recipient; // the newest certificate the caller holds seals the next batch
    b.waiting.add(new PendingSend(o, messageReference, partSummary, result));
    if (!b.inFlight) {
      flushSends(recipient.signingKey(), b);
    }
    return result;
  }

  /** A notification accepted by {@link #send} and not yet sealed. */
  private record PendingSend(
      NotifyLocalState.Outgoing o,
      byte[] reference,
      byte[] summary,
      CompletableFuture<NotificationId> result) {}

  /** The notifications to one recipient: one deposit in flight, the rest waiting for the next. */
  private static final class SendBatch {
    UserCertificate recipient;
    final java.util.ArrayDeque<PendingSend> waiting = new java.util.ArrayDeque<>();
    boolean inFlight;

    SendBatch(UserCertificate recipient) {
      this.recipient = recipient;
    }
  }

  /**
   * Seals what waits for one recipient into one item (ADR 0138): a single notification as before
   * (kind 1), several as a batch (kind 3, at most {@value Payload#MAX_BATCH} and what fits the
   * sealed bound), then publishes it on the recipient's topic and deposits it; each notification's
   * stage completes when a majority of the pending store holds the item. The next batch goes when
   * this deposit is answered, so a lone notification leaves at once and a burst costs one seal, one
   * deposit and one receipt per batch.
   */
  private void flushSends(SigningPublicKey key, SendBatch b) {
    if (stopped) {
      for (PendingSend p : b.waiting) {
        fail(p.o(), NotificationFailure.UNREACHABLE);
        p.result().completeExceptionally(new NotifyException.Unavailable("stopped"));
      }
      b.waiting.clear();
      sends.remove(key);
      return;
    }
    List<PendingSend> batch = new ArrayList<>();
    int bytes = 0;
    int room = config.maxSealedBytes() - SEAL_OVERHEAD;
    while (!b.waiting.isEmpty() && batch.size() < Payload.MAX_BATCH) {
      PendingSend p = b.waiting.peekFirst();
      int n = Payload.batchBytes(p.reference(), p.summary());
      if (!batch.isEmpty() && bytes + n > room) {
        break;
      }
      batch.add(b.waiting.pollFirst());
      bytes += n;
    }
    byte[] payload;
    long expiresAt = Long.MAX_VALUE;
    if (batch.size() == 1) {
      PendingSend p = batch.get(0);
      payload =
          Payload.notification(
                  p.o().id, certificate.address(), certificate.serial(), p.reference(), p.summary())
              .encode();
    } else {
      List<Payload.Entry> entries = new ArrayList<>();
      for (PendingSend p : batch) {
        entries.add(new Payload.Entry(p.o().id, p.reference(), p.summary()));
      }
      payload = Payload.batch(entries, certificate.address(), certificate.serial()).encode();
    }
    for (PendingSend p : batch) {
      expiresAt = Math.min(expiresAt, p.o().expiresAt);
    }
    UserCertificate recipient = b.recipient;
    byte[] sealed =
        sealer.seal(
            identity.signing(), recipient.encryptionKey(), env.clock().wallInstant(), payload);
    Id to = Keys.inbox(recipient.signingKey());
    Wire.Item item =
        new Wire.Item(Keys.itemId(sealed), Keys.rateToken(rateTokenSecret, to), expiresAt, sealed);
    node.scribe.publish(Keys.topic(recipient.signingKey()), sealed);
    b.inFlight = true;
    node.deposit(to, item)
        .whenComplete(
            (n, e) -> {
              for (PendingSend p : batch) {
                deposited(p, n, e);
              }
              b.inFlight = false;
              if (!b.waiting.isEmpty()) {
                flushSends(key, b);
              } else if (sends.get(key) == b) {
                sends.remove(key);
              }
            });
  }

  private void deposited(PendingSend p, Integer replicas, Throwable e) {
    NotifyLocalState.Outgoing o = p.o();
    if (e == null) {
      o.storedReplicas = replicas;
      if (o.state == NotificationState.STORED) {
        change(o, NotificationState.NOTIFIED, null);
      } else {
        state.updated(o);
      }
      c[1]++;
      p.result().complete(o.id);
      return;
    }
    Throwable cause = e instanceof CompletionException ? e.getCause() : e;
    if (o.state == NotificationState.DELIVERED) {
      p.result().complete(o.id);
      return;
    }
    fail(
        o,
        cause instanceof NotifyException.Refused
            ? NotificationFailure.REFUSED
            : NotificationFailure.UNREACHABLE);
    p.result().completeExceptionally(cause);
  }

  private void fail(NotifyLocalState.Outgoing o, NotificationFailure why) {
    if (o.isFinal()) {
      return;
    }
    c[3]++;
    change(o, NotificationState.FAILED, why);
  }

  private void change(NotifyLocalState.Outgoing o, NotificationState s, NotificationFailure why) {
    o.state = s;
    o.failure = why;
    o.changedAt = env.clock().wallMillis();
    state.updated(o);
    listener.stateChanged(o.status());
  }

  @Override
  public Optional<NotificationStatus> status(NotificationId id) {
    LoopConfinement.check(env.scheduler(), "Notifications.status");
    NotifyLocalState.Outgoing o = state.outgoing(id);
    return o == null ? Optional.empty() : Optional.of(o.status());
  }

  // ---------------------------------------------------------------- fetching

  @Override
  public CompletionStage<Integer> fetchNow() {
    LoopConfinement.check(env.scheduler(), "Notifications.fetchNow");
    if (stopped || !node.router.isReady()) {
      return CompletableFuture.failedFuture(
          new NotifyException.Unavailable("this node has not joined the ring or was stopped"));
    }
    return fetch();
  }

  private CompletableFuture<Integer> fetch() {
    if (fetchRound != null) {
      return fetchRound;
    }
    fetchRound = new CompletableFuture<>();
    fetchAnswered = false;
    fetchMore = false;
    roundDelivered = 0;
    sendFetch();
    return fetchRound;
  }

  private void sendFetch() {
    byte[] nonce = new byte[16];
    env.random().secure().nextBytes(nonce);
    SignedRequest req =
        SignedRequest.sign(
            SignedRequest.FETCH,
            identity.signing(),
            node.router.localHandle().id(),
            env.clock().wallMillis(),
            nonce,
            List.of());
    c[9]++;
    try {
      node.endpoint.route(inbox, Wire.request(Wire.FETCH, req.encoded()), null);
    } catch (IllegalStateException e) {
      // not ready: the timer below retries
    }
    fetchTimer = env.scheduler().schedule(config.fetchTimeoutMillis(), this::fetchTimedOut);
  }

  private void fetchTimedOut() {
    fetchTimer = null;
    if (stopped || fetchRound == null) {
      return;
    }
    if (!fetchAnswered && fetchRetries < MAX_FETCH_RETRIES) {
      fetchRetries++;
      sendFetch();
      return;
    }
    fetchRetries = 0;
    CompletableFuture<Integer> done = fetchRound;
    fetchRound = null;
    boolean more = fetchMore;
    done.complete(roundDelivered);
    if (more) {
      env.scheduler().schedule(ACK_FLUSH_MILLIS * 4, this::fetch);
    }
  }

  void onItems(List<Wire.Item> items, boolean more, NodeHandle from) {
    if (stopped) {
      return;
    }
    fetchAnswered = true;
    fetchMore |= more;
    for (Wire.Item it : items) {
      if (!MessageDigest.isEqual(Keys.itemId(it.sealed()), it.id())) {
        c[6]++; // altered by a storer: another replica serves the genuine copy
        continue;
      }
      onSealed(it.sealed(), true);
    }
  }

  // ---------------------------------------------------------------- receiving

  @Override
  public void deliver(Publication publication) {
    if (!stopped && publication.payload().length <= config.maxSealedBytes()) {
      onSealed(publication.payload(), false);
    }
  }

  @Override
  public void subscribed(TopicId t) {
    if (!stopped) {
      fetch();
    }
  }

  private void onSealed(byte[] sealed, boolean fromStore) {
    byte[] itemId = Keys.itemId(sealed);
    if (rejected.containsKey(MemoryPendingItemStore.hex(itemId))) {
      return; // another storer's copy of an item already rejected (and acknowledged)
    }
    OpenedEnvelope opened;
    Payload payload;
    try {
      opened = Sealer.open(identity.encryption(), sealed);
      payload = Payload.decode(opened.payload(), config);
    } catch (CryptoException | IllegalArgumentException e) {
      c[6]++;
      reject(itemId);
      return;
    }
    if (payload.kind() == Payload.RECEIPT) {
      onReceipt(opened, payload);
      ack(itemId);
      return;
    }
    List<Payload.Entry> entries;
    try {
      entries = payload.entries();
    } catch (CryptoException e) {
      c[6]++;
      reject(itemId);
      return;
    }
    List<Payload.Entry> fresh = new ArrayList<>();
    for (Payload.Entry en : entries) {
      if (inProgress.contains(en.id()) || state.seen(en.id()) && !fromStore) {
        c[5]++;
        continue;
      }
      fresh.add(en);
    }
    if (fresh.isEmpty()) {
      return;
    }
    for (Payload.Entry en : fresh) {
      inProgress.add(en.id());
    }
    verifier
        .verifySender(payload.address(), opened.sender())
        .whenComplete(
            (cert, e) -> {
              if (stopped) {
                return;
              }
              if (e != null) {
                for (Payload.Entry en : fresh) {
                  inProgress.remove(en.id());
                }
                Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                if (cause instanceof VerificationException) {
                  c[7]++;
                  reject(itemId);
                }
                // otherwise the directory could not answer: the item stays for the next fetch
                return;
              }
              // One replay check per envelope, before any of its notifications is accepted.
              boolean unaccepted = false;
              for (Payload.Entry en : fresh) {
                unaccepted |= !state.seen(en.id()) && !state.accepted(en.id());
              }
              if (unaccepted) {
                try {
                  state.checkReplay(opened, env.clock().wallInstant());
                } catch (VerificationException ex) {
                  for (Payload.Entry en : fresh) {
                    inProgress.remove(en.id());
                  }
                  c[8]++;
                  ack(itemId);
                  return;
                }
              }
              itemReceipts.computeIfAbsent(
                          MemoryPendingItemStore.hex(itemId), k -> new ItemReceipts())
                      .outstanding +=
                  fresh.size();
              for (Payload.Entry en : fresh) {
                NotificationId nid = en.id();
                if (state.seen(nid)) {
                  c[5]++; // acknowledged before: the receipt is sent again, nothing is delivered
                  sendReceipt(cert, nid, itemId);
                  continue;
                }
                if (!state.accepted(nid)) {
                  state.markAccepted(nid, opened);
                }
                handOver(
                    cert,
                    nid,
                    itemId,
                    new ReceivedNotification(
                        nid,
                        payload.address(),
                        opened.sender(),
                        payload.serial(),
                        opened.timestamp().toEpochMilli(),
                        en.reference(),
                        en.summary()));
              }
            });
  }

  /**
   * The receipts one pending item still waits for: the item is acknowledged (deleted at its
   * storers) only when the receipt of every notification it carries is stored, and not at all if
   * one of them failed (the item then comes back at the next fetch and its notifications, seen, are
   * answered again).
   */
  private static final class ItemReceipts {
    int outstanding;
    boolean failed;
  }

  private void receiptDone(byte[] itemId, boolean stored) {
    String hex = MemoryPendingItemStore.hex(itemId);
    ItemReceipts r = itemReceipts.get(hex);
    if (r == null) {
      return;
    }
    r.failed |= !stored;
    if (--r.outstanding <= 0) {
      itemReceipts.remove(hex);
      if (!r.failed) {
        ack(itemId);
      }
    }
  }

  /**
   * Gives the notification to the application and acknowledges it only once the application's stage
   * says it holds it durably (ADR 0106): then the id is marked seen and the receipt sent. If the
   * stage fails, nothing is acknowledged and the pending copies stay for the next fetch; the replay
   * check, already passed, is not repeated for it (the local state remembers it as accepted, so
   * that the retry, even after a restart, does not look like a replay).
   */
  private void handOver(
      UserCertificate sender, NotificationId nid, byte[] itemId, ReceivedNotification n) {
    CompletionStage<Void> held;
    try {
      held = listener.received(n);
      if (held == null) {
        held =
            CompletableFuture.failedFuture(new NullPointerException("the listener returned null"));
      }
    } catch (RuntimeException e) {
      held = CompletableFuture.failedFuture(e);
    }
    roundDelivered++;
    held.whenComplete(
        (v, e) -> {
          try {
            env.scheduler().execute(() -> afterHandOver(sender, nid, itemId, e));
          } catch (RuntimeException closed) {
            // the loop is gone: nothing is acknowledged, the item stays for the next start
          }
        });
  }

  private void afterHandOver(
      UserCertificate sender, NotificationId nid, byte[] itemId, Throwable failure) {
    if (stopped) {
      return;
    }
    if (failure != null) {
      inProgress.remove(nid);
      c[10]++;
      receiptDone(itemId, false);
      return;
    }
    state.markSeen(nid);
    c[4]++;
    sendReceipt(sender, nid, itemId);
  }

  /**
   * Queues a receipt for {@code nid} to its sender. One receipt per sender is in flight at a time;
   * the notifications handed over meanwhile go together into the next (a receipt names up to
   * {@value Payload#MAX_RECEIPT_IDS} ids), so a burst of mail from one sender costs one seal, one
   * deposit and one acknowledgement per receipt rather than per message, and a lone notification is
   * answered at once as before. Bounded: beyond {@value #MAX_QUEUED_RECEIPTS} queued ids the
   * receipt is not queued and the pending copy stays; it comes back at the next fetch as a
   * duplicate, and the receipt is sent then.
   */
  private void sendReceipt(UserCertificate sender, NotificationId nid, byte[] itemId) {
    if (queuedReceipts >= MAX_QUEUED_RECEIPTS) {
      inProgress.remove(nid);
      receiptDone(itemId, false);
      return;
    }
    ReceiptBatch b = receipts.computeIfAbsent(sender.signingKey(), k -> new ReceiptBatch());
    b.sender = sender;
    b.ids.add(nid);
    b.itemIds.add(itemId);
    queuedReceipts++;
    if (!b.inFlight) {
      flushReceipts(sender.signingKey(), b);
    }
  }

  /** Receipts waiting for one sender while the previous receipt to it is deposited. */
  private static final class ReceiptBatch {
    UserCertificate sender;
    final List<NotificationId> ids = new ArrayList<>();
    final List<byte[]> itemIds = new ArrayList<>();
    boolean inFlight;
  }

  /**
   * Seals one receipt for what {@code b} holds (at most {@value Payload#MAX_RECEIPT_IDS} ids),
   * publishes it on the sender's topic and deposits it in the sender's pending store; only once a
   * majority holds it are this user's pending copies deleted, so a receipt lost with this node is
   * sent again when the items come back as duplicates.
   */
  private void flushReceipts(SigningPublicKey key, ReceiptBatch b) {
    int n = Math.min(b.ids.size(), Payload.MAX_RECEIPT_IDS);
    List<NotificationId> ids = new ArrayList<>(b.ids.subList(0, n));
    List<byte[]> itemIds = new ArrayList<>(b.itemIds.subList(0, n));
    b.ids.subList(0, n).clear();
    b.itemIds.subList(0, n).clear();
    queuedReceipts -= n;
    b.inFlight = true;
    UserCertificate sender = b.sender;
    byte[] payload = Payload.receipt(ids, certificate.address(), certificate.serial()).encode();
    byte[] sealed =
        sealer.seal(identity.signing(), sender.encryptionKey(), env.clock().wallInstant(), payload);
    Id to = Keys.inbox(sender.signingKey());
    Wire.Item item =
        new Wire.Item(
            Keys.itemId(sealed),
            Keys.rateToken(rateTokenSecret, to),
            env.clock().wallMillis() + config.retentionMillis(),
            sealed);
    node.scribe.publish(Keys.topic(sender.signingKey()), sealed);
    node.deposit(to, item)
        .whenComplete(
            (stored, e) -> {
              for (int i = 0; i < ids.size(); i++) {
                inProgress.remove(ids.get(i));
                receiptDone(itemIds.get(i), e == null);
              }
              b.inFlight = false;
              if (stopped) {
                return;
              }
              if (!b.ids.isEmpty()) {
                flushReceipts(key, b);
              } else if (receipts.get(key) == b) {
                receipts.remove(key);
              }
            });
  }

  private void onReceipt(OpenedEnvelope opened, Payload payload) {
    for (NotificationId nid : payload.ids()) {
      NotifyLocalState.Outgoing o = state.outgoing(nid);
      if (o == null) {
        continue;
      }
      if (!o.recipientKey.equals(opened.sender())) {
        c[7]++;
        continue;
      }
      if (!o.isFinal()) {
        c[2]++;
        change(o, NotificationState.DELIVERED, null);
      }
    }
  }

  /** Counts an item once, however many storers serve it, and has every copy deleted. */
  private void reject(byte[] itemId) {
    rejected.put(MemoryPendingItemStore.hex(itemId), Boolean.TRUE);
    if (rejected.size() > MAX_PENDING_ACKS) {
      var i = rejected.keySet().iterator();
      i.next();
      i.remove();
    }
    ack(itemId);
  }

  private void ack(byte[] itemId) {
    if (pendingAcks.size() >= MAX_PENDING_ACKS) {
      return; // the item expires or comes back as a duplicate and is acknowledged then
    }
    pendingAcks.add(MemoryPendingItemStore.hex(itemId));
    if (ackTimer == null) {
      ackTimer = env.scheduler().schedule(ACK_FLUSH_MILLIS, this::flushAcks);
    }
  }

  private void flushAcks() {
    ackTimer = null;
    if (stopped || pendingAcks.isEmpty()) {
      return;
    }
    if (!node.router.isReady()) {
      ackTimer = env.scheduler().schedule(1_000, this::flushAcks);
      return;
    }
    List<byte[]> batch = new ArrayList<>();
    var i = pendingAcks.iterator();
    while (i.hasNext() && batch.size() < SignedRequest.MAX_IDS) {
      batch.add(java.util.HexFormat.of().parseHex(i.next()));
      i.remove();
    }
    byte[] nonce = new byte[16];
    env.random().secure().nextBytes(nonce);
    SignedRequest req =
        SignedRequest.sign(
            SignedRequest.ACK,
            identity.signing(),
            node.router.localHandle().id(),
            env.clock().wallMillis(),
            nonce,
            batch);
    node.endpoint.route(inbox, Wire.request(Wire.ACK, req.encoded()), null);
    if (!pendingAcks.isEmpty()) {
      ackTimer = env.scheduler().schedule(ACK_FLUSH_MILLIS, this::flushAcks);
    }
  }

  @Override
  public NotifyStatistics statistics() {
    return new NotifyStatistics(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10]);
  }
}
