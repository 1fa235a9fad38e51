package org.epost.post.notify;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.RoutedMessage;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.Notifications;
import org.epost.post.api.NotifyException;

/**
 * The notification service on one node (ADR 0103): the pending-store role every node plays for the
 * recipients whose inbox key it is among the k closest to, and the deposits and fetches of the
 * users attached to this node.
 *
 * <p>Threading: create, attach and call on the node's loop; every upcall arrives there.
 */
public final class NotifyNode implements OverlayApplication {
  static final int R_TOO_LARGE = 1;
  static final int R_BAD_ITEM = 2;
  static final int R_RECIPIENT_FULL = 3;
  static final int R_SENDER_QUOTA = 4;
  static final int R_SOURCE_QUOTA = 5;
  static final int R_STORE_FULL = 6;
  private static final int MAX_USERS = 16;
  private static final int NONCE_MEMORY = 4096;
  private static final int REPLY_BYTES = 40 * 1024;
  private static final int FETCH_REPLY_LIMIT = 256 * 1024;
  private static final int OUTSIDE_ROUNDS_BEFORE_DROP = 2;

  final KeyBasedRouter router;
  final Scribe scribe;
  final NotifyConfig config;
  private final PendingItemStore store;
  final AppEndpoint endpoint;
  private final Map<Id, Inbox> inboxes = new HashMap<>();
  private final Map<String, Deposit> deposits = new HashMap<>();
  private final Map<Id, UserNotifications> users = new HashMap<>();
  private final LinkedHashMap<String, Long> nonces = new LinkedHashMap<>();
  private long totalBytes;
  private long totalItems;
  private Cancellable reconcileTask;
  private Cancellable maintenance;
  private boolean stopped;
  private final long[] c = new long[14];

  private NotifyNode(
      KeyBasedRouter router, Scribe scribe, NotifyConfig config, PendingItemStore store) {
    this.router = router;
    this.scribe = scribe;
    this.config = config;
    this.store = store;
    this.endpoint = router.register(config.applicationId(), this);
    for (PendingItemStore.Item it : store.held()) {
      restore(it);
    }
    scheduleMaintenance();
  }

  /** Indexes an item the store held when this node started (a restart keeps a disk store's). */
  private void restore(PendingItemStore.Item it) {
    String hex = MemoryPendingItemStore.hex(it.itemId());
    Inbox in = inboxes.computeIfAbsent(it.inbox(), Inbox::new);
    if (in.items.containsKey(hex)) {
      return;
    }
    int size = it.sealed().length;
    in.items.put(hex, new Meta(it.itemId(), it.token(), it.expiresAt(), size, null));
    in.bytes += size;
    long[] tt =
        in.perToken.computeIfAbsent(MemoryPendingItemStore.hex(it.token()), k -> new long[2]);
    tt[0]++;
    tt[1] += size;
    totalBytes += size;
    totalItems++;
  }

  /**
   * Registers the pending store on {@code router} under {@link NotifyConfig#applicationId()} and
   * starts its maintenance. Every node of a ring runs one, whether or not a user is attached.
   */
  public static NotifyNode create(
      KeyBasedRouter router, Scribe scribe, NotifyConfig config, PendingItemStore store) {
    LoopConfinement.check(router.environment().scheduler(), "NotifyNode.create");
    return new NotifyNode(
        Objects.requireNonNull(router),
        Objects.requireNonNull(scribe),
        Objects.requireNonNull(config),
        Objects.requireNonNull(store));
  }

  /**
   * Attaches a user: subscribes its topic and fetches its pending items as soon as the node is
   * ready, and returns its service.
   *
   * @param identity the user's keys
   * @param certificate the user's certificate (address, serial)
   * @param verifier checks the senders of received notifications
   * @param state what survives a restart (replay memory, seen ids, outbox)
   * @param listener what the user's application hears
   */
  public Notifications attach(
      UserIdentity identity,
      UserCertificate certificate,
      SenderVerifier verifier,
      NotifyLocalState state,
      NotificationListener listener) {
    LoopConfinement.check(router.environment().scheduler(), "NotifyNode.attach");
    if (!certificate.signingKey().equals(identity.signing().publicKey())) {
      throw new IllegalArgumentException("the certificate is not for this identity");
    }
    Id inbox = Keys.inbox(identity.signing().publicKey());
    if (users.containsKey(inbox)) {
      throw new IllegalStateException("user already attached to this node");
    }
    if (users.size() >= MAX_USERS) {
      throw new IllegalStateException("at most " + MAX_USERS + " users per node");
    }
    UserNotifications u =
        new UserNotifications(this, identity, certificate, verifier, state, listener);
    users.put(inbox, u);
    u.start();
    return u;
  }

  void detach(UserNotifications u) {
    users.remove(u.inbox);
  }

  /** Stops maintenance and every attached user's service; the node no longer stores. */
  public void stop() {
    stopped = true;
    if (maintenance != null) {
      maintenance.cancel();
    }
    if (reconcileTask != null) {
      reconcileTask.cancel();
    }
    for (UserNotifications u : new ArrayList<>(users.values())) {
      u.stop();
    }
    for (Deposit d : new ArrayList<>(deposits.values())) {
      d.fail(new NotifyException.Unavailable("the notification service was stopped"));
    }
  }

  /** Counters of this node's storer role. */
  public StorerStatistics statistics() {
    return new StorerStatistics(
        c[0],
        c[1],
        c[2],
        c[3],
        c[4],
        c[5],
        c[6],
        c[7],
        c[8],
        c[9],
        c[10],
        c[11],
        c[12],
        c[13],
        totalItems,
        totalBytes);
  }

  // ---------------------------------------------------------------- upcalls

  @Override
  public void deliver(RoutedMessage message) {
    if (stopped) {
      return;
    }
    Wire.Msg m;
    try {
      m = Wire.decode(message.payload());
    } catch (MalformedFrameException e) {
      c[13]++;
      return;
    }
    NodeHandle from = message.source();
    switch (m.type()) {
      case Wire.DEPOSIT -> {
        if (message.key() != null) {
          onDeposit(message.key(), m.item(), from);
        }
      }
      case Wire.REPLICATE -> onReplicate(m.inbox(), m.item(), m.handle(), from);
      case Wire.STORED, Wire.REFUSED -> {
        Deposit d = deposits.get(MemoryPendingItemStore.hex(m.item().id()));
        if (d != null && d.inbox.equals(m.inbox())) {
          d.answer(from.id(), m);
        }
      }
      case Wire.FETCH -> {
        if (message.key() != null) {
          onFetch(message.key(), m.request(), from, true);
        }
      }
      case Wire.FETCH_FWD -> onFetch(m.inbox(), m.request(), m.handle(), false);
      case Wire.ITEMS -> {
        UserNotifications u = users.get(m.inbox());
        if (u != null) {
          u.onItems(m.items(), m.flag() == 1, from);
        }
      }
      case Wire.ACK -> {
        if (message.key() != null) {
          onAck(message.key(), m.request(), true);
        }
      }
      case Wire.ACK_FWD -> onAck(m.inbox(), m.request(), false);
      case Wire.DIGEST -> onDigest(m.inbox(), m.ids(), from);
      case Wire.PULL -> onPull(m.inbox(), m.ids(), from);
      default -> c[13]++;
    }
  }

  @Override
  public void update(NodeHandle handle, boolean joined) {
    if (stopped || reconcileTask != null) {
      return;
    }
    reconcileTask =
        router
            .environment()
            .scheduler()
            .schedule(
                config.reconcileDelayMillis(),
                () -> {
                  reconcileTask = null;
                  reconcile();
                });
  }

  // ---------------------------------------------------------------- storer role

  private static final class Meta {
    final byte[] id;
    final byte[] token;
    final long expiresAt;
    final int size;
    final Id source;

    Meta(byte[] id, byte[] token, long expiresAt, int size, Id source) {
      this.id = id;
      this.token = token;
      this.expiresAt = expiresAt;
      this.size = size;
      this.source = source;
    }
  }

  private static final class Inbox {
    final Id key;
    final LinkedHashMap<String, Meta> items = new LinkedHashMap<>();
    final Map<String, long[]> perToken = new HashMap<>();
    final Map<Id, Integer> perSource = new HashMap<>();
    final LinkedHashMap<String, Long> tombstones = new LinkedHashMap<>();
    long bytes;
    int outsideRounds;

    Inbox(Id key) {
      this.key = key;
    }
  }

  private static final int OK = 0;
  private static final int HAVE = -1;
  private static final int TOMBSTONED = -2;

  private int accept(Id key, Wire.Item it, Id source) {
    String hex = MemoryPendingItemStore.hex(it.id());
    long now = router.environment().clock().wallMillis();
    if (it.sealed().length > config.maxSealedBytes()) {
      c[1]++;
      return R_TOO_LARGE;
    }
    if (!MessageDigest.isEqual(Keys.itemId(it.sealed()), it.id())
        || it.expiresAt() <= now
        || it.expiresAt() > now + config.retentionMillis() + config.clockSkewMillis()) {
      c[2]++;
      return R_BAD_ITEM;
    }
    Inbox in = inboxes.get(key);
    if (in != null && in.tombstones.containsKey(hex)) {
      return TOMBSTONED;
    }
    if (in != null && in.items.containsKey(hex)) {
      return HAVE;
    }
    int size = it.sealed().length;
    if (in == null && inboxes.size() >= config.storeMaxRecipients()
        || totalBytes + size > config.storeMaxBytes()) {
      c[6]++;
      return R_STORE_FULL;
    }
    if (in != null
        && (in.items.size() >= config.recipientMaxItems()
            || in.bytes + size > config.recipientMaxBytes())) {
      c[3]++;
      return R_RECIPIENT_FULL;
    }
    String token = MemoryPendingItemStore.hex(it.token());
    long[] t = in == null ? null : in.perToken.get(token);
    if (t != null && (t[0] >= config.tokenMaxItems() || t[1] + size > config.tokenMaxBytes())) {
      c[4]++;
      return R_SENDER_QUOTA;
    }
    if (source != null
        && in != null
        && in.perSource.getOrDefault(source, 0) >= config.sourceMaxItems()) {
      c[5]++;
      return R_SOURCE_QUOTA;
    }
    if (in == null) {
      in = new Inbox(key);
      inboxes.put(key, in);
    }
    putting = store.put(key, it.id(), it.token(), it.expiresAt(), it.sealed());
    in.items.put(hex, new Meta(it.id(), it.token(), it.expiresAt(), size, source));
    in.bytes += size;
    long[] tt = in.perToken.computeIfAbsent(token, k -> new long[2]);
    tt[0]++;
    tt[1] += size;
    if (source != null) {
      in.perSource.merge(source, 1, Integer::sum);
    }
    totalBytes += size;
    totalItems++;
    c[0]++;
    return OK;
  }

  /** The stage of the last {@link #accept}'s put (read at once by {@link #acceptDurably}). */
  private CompletionStage<Void> putting;

  /**
   * {@link #accept}, completing only once an accepted item is durable in the store: a storer
   * acknowledges ({@code STORED}) nothing it could lose in a restart. A put that fails is undone
   * and refused as {@code STORE_FULL}. With a store in memory this completes at once.
   */
  private CompletionStage<Integer> acceptDurably(Id key, Wire.Item it, Id source) {
    int r = accept(key, it, source);
    if (r != OK) {
      return CompletableFuture.completedFuture(r);
    }
    CompletionStage<Void> put = putting;
    putting = null;
    String hex = MemoryPendingItemStore.hex(it.id());
    return put.handle(
        (v, e) -> {
          if (e == null) {
            return OK;
          }
          Inbox in = inboxes.get(key);
          if (in != null) {
            removeItem(in, hex);
            dropIfEmpty(in);
          }
          c[0]--;
          c[6]++;
          return R_STORE_FULL;
        });
  }

  private void removeItem(Inbox in, String hex) {
    Meta meta = in.items.remove(hex);
    if (meta == null) {
      return;
    }
    store.remove(in.key, meta.id);
    in.bytes -= meta.size;
    String token = MemoryPendingItemStore.hex(meta.token);
    long[] t = in.perToken.get(token);
    if (t != null && --t[0] <= 0) {
      in.perToken.remove(token);
    } else if (t != null) {
      t[1] -= meta.size;
    }
    if (meta.source != null) {
      in.perSource.computeIfPresent(meta.source, (k, v) -> v <= 1 ? null : v - 1);
    }
    totalBytes -= meta.size;
    totalItems--;
  }

  private void dropIfEmpty(Inbox in) {
    if (in.items.isEmpty() && in.tombstones.isEmpty()) {
      inboxes.remove(in.key);
    }
  }

  private boolean inReplicaSet(Id key) {
    Id self = router.localHandle().id();
    for (NodeHandle h : endpoint.replicaSet(key, config.replicas())) {
      if (h.id().equals(self)) {
        return true;
      }
    }
    return false;
  }

  private void onDeposit(Id key, Wire.Item it, NodeHandle from) {
    acceptDurably(key, it, from.id()).thenAccept(r -> answerDeposit(key, it, from, r));
  }

  private void answerDeposit(Id key, Wire.Item it, NodeHandle from, int r) {
    if (stopped) {
      return;
    }
    if (r > 0) {
      endpoint.sendDirect(from, Wire.refused(key, it.id(), r));
      return;
    }
    List<NodeHandle> set = endpoint.replicaSet(key, config.replicas());
    endpoint.sendDirect(from, Wire.stored(key, it.id(), set.size(), r == TOMBSTONED));
    // Pushed even when this node holds a tombstone (the owner acknowledged it first, e.g. after
    // the topic brought it): each replica answers for itself, so the depositor's majority never
    // rests on one node's word.
    byte[] push = Wire.replicate(key, it, from);
    for (NodeHandle h : set) {
      if (!h.id().equals(router.localHandle().id())) {
        endpoint.sendDirect(h, push);
      }
    }
  }

  private void onReplicate(Id key, Wire.Item it, NodeHandle sender, NodeHandle from) {
    if (!inReplicaSet(key)) {
      return;
    }
    acceptDurably(key, it, null).thenAccept(r -> answerReplicate(key, it, sender, r));
  }

  private void answerReplicate(Id key, Wire.Item it, NodeHandle sender, int r) {
    if (stopped) {
      return;
    }
    if (sender == null) {
      if (r == OK) {
        c[11]++;
      }
      return;
    }
    if (r > 0) {
      endpoint.sendDirect(sender, Wire.refused(key, it.id(), r));
    } else {
      int size = endpoint.replicaSet(key, config.replicas()).size();
      endpoint.sendDirect(sender, Wire.stored(key, it.id(), size, r == TOMBSTONED));
    }
  }

  private SignedRequest checkRequest(Id key, byte[] encoded, int kind) {
    try {
      SignedRequest req = SignedRequest.verify(encoded);
      if (req.kind() != kind || !Keys.inbox(req.owner()).equals(key)) {
        c[8]++;
        return null;
      }
      if (kind == SignedRequest.FETCH) {
        long now = router.environment().clock().wallMillis();
        if (Math.abs(now - req.wallMillis()) > config.clockSkewMillis()) {
          c[8]++;
          return null;
        }
        String n = MemoryPendingItemStore.hex(req.nonce()) + key.toHex();
        if (nonces.containsKey(n)) {
          c[8]++;
          return null;
        }
        nonces.put(n, req.wallMillis());
        if (nonces.size() > NONCE_MEMORY) {
          Iterator<String> i = nonces.keySet().iterator();
          i.next();
          i.remove();
        }
      }
      return req;
    } catch (CryptoException e) {
      c[8]++;
      return null;
    }
  }

  private void onFetch(Id key, byte[] encoded, NodeHandle requester, boolean root) {
    if (requester == null) {
      return;
    }
    SignedRequest req = checkRequest(key, encoded, SignedRequest.FETCH);
    if (req == null || !req.requester().equals(requester.id())) {
      if (req != null) {
        c[8]++;
      }
      return;
    }
    if (root) {
      byte[] fwd = Wire.fetchForward(key, requester, encoded);
      for (NodeHandle h : endpoint.replicaSet(key, config.replicas())) {
        if (!h.id().equals(router.localHandle().id())) {
          endpoint.sendDirect(h, fwd);
        }
      }
    } else if (!inReplicaSet(key) && !inboxes.containsKey(key)) {
      return;
    }
    c[7]++;
    Inbox in = inboxes.get(key);
    List<Wire.Item> batch = new ArrayList<>();
    int batchBytes = 0;
    int sent = 0;
    boolean more = false;
    if (in != null) {
      for (Meta meta : in.items.values()) {
        byte[] sealed = store.get(key, meta.id);
        if (sealed == null) {
          continue;
        }
        if (sent + sealed.length > FETCH_REPLY_LIMIT) {
          more = true;
          break;
        }
        if (batchBytes + sealed.length > REPLY_BYTES && !batch.isEmpty()) {
          endpoint.sendDirect(requester, Wire.items(key, false, batch));
          batch = new ArrayList<>();
          batchBytes = 0;
        }
        batch.add(new Wire.Item(meta.id, null, 0, sealed));
        batchBytes += sealed.length;
        sent += sealed.length;
      }
    }
    endpoint.sendDirect(requester, Wire.items(key, more, batch));
  }

  private void onAck(Id key, byte[] encoded, boolean root) {
    SignedRequest req = checkRequest(key, encoded, SignedRequest.ACK);
    if (req == null) {
      return;
    }
    if (root) {
      byte[] fwd = Wire.ackForward(key, encoded);
      for (NodeHandle h : endpoint.replicaSet(key, config.replicas())) {
        if (!h.id().equals(router.localHandle().id())) {
          endpoint.sendDirect(h, fwd);
        }
      }
    }
    Inbox in = inboxes.get(key);
    if (in == null) {
      if (!inReplicaSet(key) || inboxes.size() >= config.storeMaxRecipients()) {
        return;
      }
      in = new Inbox(key);
      inboxes.put(key, in);
    }
    long expires =
        router.environment().clock().wallMillis()
            + config.retentionMillis()
            + config.clockSkewMillis();
    for (byte[] id : req.itemIds()) {
      String hex = MemoryPendingItemStore.hex(id);
      if (in.items.containsKey(hex)) {
        removeItem(in, hex);
        c[9]++;
      }
      in.tombstones.put(hex, expires);
      if (in.tombstones.size() > config.tombstonesPerRecipient()) {
        Iterator<String> i = in.tombstones.keySet().iterator();
        i.next();
        i.remove();
      }
    }
    dropIfEmpty(in);
  }

  private void onDigest(Id key, List<byte[]> ids, NodeHandle from) {
    if (!inReplicaSet(key)) {
      return;
    }
    Inbox in = inboxes.get(key);
    Set<String> theirs = new HashSet<>();
    List<byte[]> missing = new ArrayList<>();
    for (byte[] id : ids) {
      String hex = MemoryPendingItemStore.hex(id);
      theirs.add(hex);
      if (in == null || !in.items.containsKey(hex) && !in.tombstones.containsKey(hex)) {
        missing.add(id);
      }
    }
    if (!missing.isEmpty()) {
      endpoint.sendDirect(from, Wire.ids(Wire.PULL, key, missing));
    }
    if (in != null) {
      for (Meta meta : in.items.values()) {
        if (!theirs.contains(MemoryPendingItemStore.hex(meta.id))) {
          push(key, meta, from);
        }
      }
    }
  }

  private void onPull(Id key, List<byte[]> ids, NodeHandle from) {
    Inbox in = inboxes.get(key);
    if (in == null) {
      return;
    }
    for (byte[] id : ids) {
      Meta meta = in.items.get(MemoryPendingItemStore.hex(id));
      if (meta != null) {
        push(key, meta, from);
      }
    }
  }

  private void push(Id key, Meta meta, NodeHandle to) {
    byte[] sealed = store.get(key, meta.id);
    if (sealed != null) {
      endpoint.sendDirect(
          to,
          Wire.replicate(key, new Wire.Item(meta.id, meta.token, meta.expiresAt, sealed), null));
    }
  }

  /** Sends each inbox's digest to the other members of its replica set; hands off and drops. */
  void reconcile() {
    if (stopped || !router.isReady()) {
      return;
    }
    Id self = router.localHandle().id();
    for (Inbox in : new ArrayList<>(inboxes.values())) {
      if (in.items.isEmpty()) {
        continue;
      }
      List<NodeHandle> set = endpoint.replicaSet(in.key, config.replicas());
      boolean member = set.stream().anyMatch(h -> h.id().equals(self));
      List<byte[]> ids = new ArrayList<>();
      for (Meta meta : in.items.values()) {
        ids.add(meta.id);
      }
      byte[] digest = Wire.ids(Wire.DIGEST, in.key, ids);
      for (NodeHandle h : set) {
        if (!h.id().equals(self)) {
          endpoint.sendDirect(h, digest);
        }
      }
      if (member) {
        in.outsideRounds = 0;
      } else if (++in.outsideRounds > OUTSIDE_ROUNDS_BEFORE_DROP) {
        for (String hex : new ArrayList<>(in.items.keySet())) {
          removeItem(in, hex);
        }
        inboxes.remove(in.key);
        c[12]++;
      }
    }
  }

  private void scheduleMaintenance() {
    maintenance =
        router
            .environment()
            .scheduler()
            .schedule(
                config.maintenanceMillis(),
                () -> {
                  if (stopped) {
                    return;
                  }
                  expire();
                  reconcile();
                  for (UserNotifications u : new ArrayList<>(users.values())) {
                    u.maintenance();
                  }
                  scheduleMaintenance();
                });
  }

  private void expire() {
    long now = router.environment().clock().wallMillis();
    for (Inbox in : new ArrayList<>(inboxes.values())) {
      for (Meta meta : new ArrayList<>(in.items.values())) {
        if (meta.expiresAt <= now) {
          removeItem(in, MemoryPendingItemStore.hex(meta.id));
          c[10]++;
        }
      }
      in.tombstones.values().removeIf(t -> t <= now);
      dropIfEmpty(in);
    }
  }

  // ---------------------------------------------------------------- depositor role

  /**
   * Routes {@code item} to {@code inbox}'s pending store until a majority of its replica set
   * acknowledged it. Completes with the number of storers that did; fails with {@link
   * NotifyException.Refused} when the root refused it, {@link NotifyException.Unavailable} after
   * every attempt or when too many deposits are in flight.
   */
  CompletionStage<Integer> deposit(Id inbox, Wire.Item item) {
    String hex = MemoryPendingItemStore.hex(item.id());
    Deposit existing = deposits.get(hex);
    if (existing != null) {
      return existing.done;
    }
    if (deposits.size() >= config.maxInFlight()) {
      return CompletableFuture.failedFuture(
          new NotifyException.Unavailable(
              "too many deposits waiting for a majority (" + config.maxInFlight() + ")"));
    }
    if (stopped || !router.isReady()) {
      return CompletableFuture.failedFuture(
          new NotifyException.Unavailable("this node has not joined the ring or was stopped"));
    }
    Deposit d = new Deposit(hex, inbox, item);
    deposits.put(hex, d);
    d.attempt();
    return d.done;
  }

  private final class Deposit {
    final String hex;
    final Id inbox;
    final Wire.Item item;
    final CompletableFuture<Integer> done = new CompletableFuture<>();
    final Set<Id> acks = new HashSet<>();
    int setSize = 1;
    int attempts;
    Cancellable timer;
    String refusal;

    Deposit(String hex, Id inbox, Wire.Item item) {
      this.hex = hex;
      this.inbox = inbox;
      this.item = item;
    }

    void attempt() {
      if (done.isDone()) {
        return;
      }
      if (attempts >= config.depositAttempts() || stopped) {
        fail(
            refusal != null
                ? new NotifyException.Refused(
                    "the recipient's storers refused the notification: " + refusal, refusal)
                : new NotifyException.Unavailable(
                    "no majority of the recipient's storers acknowledged after "
                        + attempts
                        + " attempts ("
                        + acks.size()
                        + " did)"));
        return;
      }
      attempts++;
      try {
        endpoint.route(inbox, Wire.deposit(item), null);
      } catch (IllegalStateException e) {
        // not ready now: the timer retries
      }
      long wait = config.depositTimeoutMillis() << Math.min(attempts - 1, 3);
      timer = router.environment().scheduler().schedule(wait, this::attempt);
    }

    void answer(Id storer, Wire.Msg m) {
      if (done.isDone()) {
        return;
      }
      if (m.type() == Wire.REFUSED) {
        refusal = reasonName(m.small());
        if (acks.isEmpty() && m.small() != R_BAD_ITEM) {
          fail(
              new NotifyException.Refused(
                  "the recipient's storers refused the notification: " + refusal, refusal));
        }
        return;
      }
      acks.add(storer);
      setSize = Math.max(setSize, m.small());
      if (acks.size() >= config.majority(setSize)) {
        finish();
        done.complete(acks.size());
      }
    }

    void fail(RuntimeException e) {
      finish();
      done.completeExceptionally(e);
    }

    private void finish() {
      if (timer != null) {
        timer.cancel();
      }
      deposits.remove(hex);
    }
  }

  static String reasonName(int reason) {
    return switch (reason) {
      case R_TOO_LARGE -> "TOO_LARGE";
      case R_BAD_ITEM -> "BAD_ITEM";
      case R_RECIPIENT_FULL -> "RECIPIENT_FULL";
      case R_SENDER_QUOTA -> "SENDER_QUOTA";
      case R_SOURCE_QUOTA -> "SOURCE_QUOTA";
      case R_STORE_FULL -> "STORE_FULL";
      default -> "UNKNOWN_" + reason;
    };
  }

  /** Holds the item ids this storer keeps for {@code inbox} (for tests and diagnostics). */
  int itemsFor(Id inbox) {
    Inbox in = inboxes.get(inbox);
    return in == null ? 0 : in.items.size();
  }

  /** The sealed items this storer holds for {@code inbox} (for tests and diagnostics). */
  List<byte[]> sealedFor(Id inbox) {
    List<byte[]> out = new ArrayList<>();
    Inbox in = inboxes.get(inbox);
    if (in != null) {
      for (Meta meta : in.items.values()) {
        byte[] b = store.get(inbox, meta.id);
        if (b != null) {
          out.add(b);
        }
      }
    }
    return out;
  }
}
