package org.epost.overlay.scribe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.RoutedMessage;
import org.epost.overlay.scribe.ScribeMessage.Anycast;
import org.epost.overlay.scribe.ScribeMessage.AnycastResult;
import org.epost.overlay.scribe.ScribeMessage.Data;
import org.epost.overlay.scribe.ScribeMessage.Heartbeat;
import org.epost.overlay.scribe.ScribeMessage.HeartbeatAck;
import org.epost.overlay.scribe.ScribeMessage.Join;
import org.epost.overlay.scribe.ScribeMessage.JoinAck;
import org.epost.overlay.scribe.ScribeMessage.JoinRedirect;
import org.epost.overlay.scribe.ScribeMessage.Leave;
import org.epost.overlay.scribe.ScribeMessage.Publish;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.ScribeClient;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.ScribeException;
import org.epost.overlay.scribe.api.ScribeObserver;
import org.epost.overlay.scribe.api.ScribeObserver.Leg;
import org.epost.overlay.scribe.api.ScribeStatistics;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.scribe.api.TopicView;
import org.epost.overlay.scribe.api.TopicView.Role;

/**
 * Scribe on one node: joins and tree building (intercepting JOINs in {@link #forward}), publication
 * flow, leaving and pruning. Heartbeats and repair live in {@link TreeMaintenance}, anycast in
 * {@link AnycastSearch}.
 *
 * <p>Threading: everything runs on the overlay node's event loop; no locks.
 */
final class ScribeNode implements Scribe, OverlayApplication {
  /** Deeper than this, a path or depth means a loop in the tree. */
  static final int MAX_DEPTH = 48;

  final KeyBasedRouter router;
  final NodeEnvironment env;
  final ScribeConfig config;
  final ScribeObserver observer;
  final NodeHandle self;
  final Map<TopicId, Topic> topics = new HashMap<>();
  final Counters stats = new Counters();
  final RecentPublications.ByteBudget budget;
  final AppEndpoint endpoint;
  final TreeMaintenance maintenance;
  final AnycastSearch anycasts;
  final Dissemination publications;
  boolean stopped;

  ScribeNode(KeyBasedRouter router, ScribeConfig config, ScribeObserver observer) {
    this.router = router;
    this.env = router.environment();
    this.config = config;
    this.observer = observer;
    this.self = router.localHandle();
    this.budget = new RecentPublications.ByteBudget(config.maxBufferedBytes());
    this.endpoint = router.register(config.applicationId(), this);
    this.maintenance = new TreeMaintenance(this);
    this.anycasts = new AnycastSearch(this);
    this.publications = new Dissemination(this);
    maintenance.start();
  }

  long now() {
    return env.clock().nowMillis();
  }

  // ---- API ----------------------------------------------------------------------------------

  @Override
  public CompletionStage<Void> subscribe(TopicId topic, ScribeClient client) {
    LoopConfinement.check(env.scheduler(), "Scribe.subscribe");
    ScribeException.NotReadyException notReady = notReady("subscribe to " + topic);
    if (notReady != null) {
      return CompletableFuture.failedFuture(notReady);
    }
    Topic t = topics.get(topic);
    if (t == null) {
      if (topics.size() >= config.maxTopics()) {
        return CompletableFuture.failedFuture(
            new ScribeException.TopicLimitException(
                "cannot subscribe to "
                    + topic
                    + ": this node already takes part in "
                    + topics.size()
                    + " topics, the configured maximum; unsubscribe from one first"));
      }
      t = new Topic(topic, now());
      topics.put(topic, t);
      t.client = client;
      CompletableFuture<Void> attached = new CompletableFuture<>();
      t.subscribed.add(attached);
      sendJoin(t);
      return attached;
    }
    t.client = client;
    t.clientConfirmed = false;
    CompletableFuture<Void> attached = new CompletableFuture<>();
    t.subscribed.add(attached);
    if (t.attached()) {
      confirmClient(t);
    }
    return attached;
  }

  /** Why this node cannot take part in trees now, or null if it can. */
  private ScribeException.NotReadyException notReady(String what) {
    if (stopped) {
      return new ScribeException.NotReadyException(
          "cannot " + what + ": Scribe was stopped on this node",
          ScribeException.NotReadyException.Reason.STOPPED);
    }
    if (!router.isReady()) {
      return new ScribeException.NotReadyException(
          "cannot "
              + what
              + ": the overlay node has not joined the ring yet; retry once it is ready",
          ScribeException.NotReadyException.Reason.NOT_JOINED);
    }
    return null;
  }

  @Override
  public void unsubscribe(TopicId topic) {
    LoopConfinement.check(env.scheduler(), "Scribe.unsubscribe");
    Topic t = topics.get(topic);
    if (t != null) {
      t.client = null;
      cancelSubscribed(t);
      maybePrune(t);
    }
  }

  @Override
  public CompletionStage<Long> publish(TopicId topic, byte[] payload) {
    LoopConfinement.check(env.scheduler(), "Scribe.publish");
    checkPayload(payload);
    ScribeException.NotReadyException notReady = notReady("publish to " + topic);
    if (notReady != null) {
      return CompletableFuture.failedFuture(notReady);
    }
    long id = env.random().nextLong();
    endpoint.route(topic.id(), ScribeCodec.encode(new Publish(topic, id, payload.clone())), null);
    return CompletableFuture.completedFuture(id);
  }

  @Override
  public CompletionStage<org.epost.overlay.scribe.api.AnycastResult> anycast(
      TopicId topic, byte[] payload) {
    LoopConfinement.check(env.scheduler(), "Scribe.anycast");
    checkPayload(payload);
    ScribeException.NotReadyException notReady = notReady("anycast to " + topic);
    if (notReady != null) {
      return CompletableFuture.failedFuture(notReady);
    }
    return anycasts.start(topic, payload.clone());
  }

  private void checkPayload(byte[] payload) {
    if (payload.length > config.maxPayloadBytes()) {
      throw new IllegalArgumentException(
          "payload of "
              + payload.length
              + " bytes exceeds the limit of "
              + config.maxPayloadBytes());
    }
  }

  @Override
  public Set<TopicId> subscriptions() {
    LoopConfinement.check(env.scheduler(), "Scribe.subscriptions");
    Set<TopicId> out = new LinkedHashSet<>();
    topics.forEach(
        (id, t) -> {
          if (t.client != null) {
            out.add(id);
          }
        });
    return out;
  }

  @Override
  public TopicView view(TopicId topic) {
    LoopConfinement.check(env.scheduler(), "Scribe.view");
    Topic t = topics.get(topic);
    return t == null ? null : t.view();
  }

  @Override
  public int topicCount() {
    LoopConfinement.check(env.scheduler(), "Scribe.topicCount");
    return topics.size();
  }

  @Override
  public ScribeStatistics statistics() {
    LoopConfinement.check(env.scheduler(), "Scribe.statistics");
    return stats;
  }

  @Override
  public void stop() {
    LoopConfinement.check(env.scheduler(), "Scribe.stop");
    if (stopped) {
      return;
    }
    stopped = true;
    maintenance.stop();
    for (Topic t : topics.values()) {
      List<CompletableFuture<Void>> waiting = new ArrayList<>(t.subscribed);
      t.subscribed.clear();
      for (CompletableFuture<Void> f : waiting) {
        f.completeExceptionally(
            new ScribeException.NotReadyException(
                "subscription to " + t.id + ": Scribe was stopped before it attached",
                ScribeException.NotReadyException.Reason.STOPPED));
      }
    }
  }

  // ---- overlay upcalls -------------------------------------------------------------------------

  @Override
  public boolean forward(RoutedMessage message, NodeHandle nextHop) {
    if (stopped) {
      return true;
    }
    ScribeMessage m = decode(message);
    if (m == null) {
      return false;
    }
    boolean atRoot = nextHop.equals(self);
    if (m instanceof Join j) {
      if (atRoot || message.source().equals(self)) {
        return true;
      }
      return !takeJoin(j, message.source(), false);
    } else if (m instanceof Publish p) {
      if (!atRoot) {
        observer.publicationSent(p.topic(), p.publicationId(), nextHop, Leg.TO_ROOT);
      }
      return true;
    } else if (m instanceof Anycast a) {
      if (!atRoot && topics.containsKey(a.topic())) {
        anycasts.step(a);
        return false;
      }
      return true;
    }
    return true;
  }

  @Override
  public void deliver(RoutedMessage message) {
    if (stopped) {
      return;
    }
    ScribeMessage m = decode(message);
    if (m == null) {
      return;
    }
    NodeHandle from = message.source();
    if (message.key() != null) {
      if (m instanceof Join j) {
        joinAtRoot(j, from);
      } else if (m instanceof Publish p) {
        publications.publishAtRoot(p, from);
      } else if (m instanceof Anycast a) {
        anycasts.step(a);
      } else {
        stats.malformed++;
      }
      return;
    }
    if (m instanceof Data d) {
      publications.dataReceived(d, from);
    } else if (m instanceof Heartbeat h) {
      maintenance.heartbeatReceived(h, from);
    } else if (m instanceof HeartbeatAck a) {
      maintenance.heartbeatAckReceived(a, from);
    } else if (m instanceof JoinAck a) {
      joinAcked(a, from);
    } else if (m instanceof Leave l) {
      leaveReceived(l, from);
    } else if (m instanceof Join j) {
      if (!takeJoin(j, from, true)) {
        redirect(j, from);
      }
    } else if (m instanceof JoinRedirect r) {
      redirected(r, from);
    } else if (m instanceof Anycast a) {
      anycasts.step(a);
    } else if (m instanceof AnycastResult r) {
      anycasts.resultReceived(r, from);
    } else if (m instanceof ScribeMessage.Probe p) {
      maintenance.probeReceived(p, from);
    } else if (m instanceof ScribeMessage.ProbeReply r) {
      maintenance.probeReplyReceived(r, from);
    } else {
      stats.malformed++;
    }
  }

  @Override
  public void update(NodeHandle handle, boolean joined) {
    if (stopped) {
      return;
    }
    if (joined) {
      maintenance.checkRoots();
    } else {
      maintenance.neighbourFailed(handle);
    }
  }

  private ScribeMessage decode(RoutedMessage message) {
    try {
      return ScribeCodec.decode(message.payload());
    } catch (MalformedFrameException e) {
      stats.malformed++;
      return null;
    }
  }

  void send(NodeHandle to, ScribeMessage m) {
    if (!stopped) {
      endpoint.sendDirect(to, ScribeCodec.encode(m));
    }
  }

  // ---- joining ----------------------------------------------------------------------------------

  /**
   * Routes a join for {@code t} towards its key (or waits for the next tick if the overlay is not
   * ready).
   */
  void sendJoin(Topic t) {
    t.role = Role.JOINING;
    t.parent = null;
    t.joinAttempts++;
    long backoff = config.joinRetryMillis() << Math.min(3, t.joinAttempts - 1);
    t.nextJoinAtMillis = now() + backoff;
    if (!router.isReady() || stopped) {
      t.nextJoinAtMillis = now();
      return;
    }
    endpoint.route(t.id.id(), ScribeCodec.encode(joinMessage(t, 0)), null);
  }

  private Join joinMessage(Topic t, int redirects) {
    long[] seen = t.repair ? t.recent.latestSeen(ScribeCodec.MAX_SEEN) : new long[0];
    if (t.repair && t.carriedSeen != null && seen.length == 0) {
      seen = t.carriedSeen;
    }
    return new Join(t.id, t.repair, seen, redirects);
  }

  /**
   * A join from {@code child} passes through (or was sent straight to) this node. Returns true if
   * this node took the child; false lets the join go on (or, for a direct join, redirects it).
   */
  private boolean takeJoin(Join j, NodeHandle child, boolean direct) {
    Topic t = topics.get(j.topic());
    if (t == null) {
      if (topics.size() >= config.maxTopics()) {
        stats.joinsRefused++;
        return false;
      }
      t = new Topic(j.topic(), now());
      topics.put(j.topic(), t);
      t.repair = j.repair();
      t.carriedSeen = j.seen();
      addChild(t, child);
      sendJoin(t);
      return true;
    }
    if (child.equals(t.parent) || t.inPath(child.id())) {
      return false; // our own ancestor: taking it would close a loop
    }
    if (!t.children.containsKey(child) && t.children.size() >= config.maxChildrenPerTopic()) {
      stats.joinsRefused++;
      return false;
    }
    addChild(t, child);
    if (t.attached()) {
      send(child, new JoinAck(t.id, pathBelow(t)));
      if (j.repair()) {
        publications.resend(t, child, j.seen());
      }
    } else if (j.repair() && !t.repair) {
      t.repair = true;
      t.carriedSeen = j.seen();
    }
    return true;
  }

  /** A join arrived here as the key's root. */
  private void joinAtRoot(Join j, NodeHandle child) {
    Topic t = topics.get(j.topic());
    if (t == null) {
      if (topics.size() >= config.maxTopics()) {
        stats.joinsRefused++;
        return;
      }
      t = new Topic(j.topic(), now());
      topics.put(j.topic(), t);
    }
    if (t.role != Role.ATTACHED) {
      becomeRoot(t);
    }
    if (child.equals(self) || child.equals(t.parent) || t.inPath(child.id())) {
      return;
    }
    if (!t.children.containsKey(child) && t.children.size() >= config.maxChildrenPerTopic()) {
      stats.joinsRefused++;
      redirect(j, child);
      return;
    }
    addChild(t, child);
    send(child, new JoinAck(t.id, pathBelow(t)));
    if (j.repair()) {
      publications.resend(t, child, j.seen());
    }
  }

  private void redirect(Join j, NodeHandle joiner) {
    Topic t = topics.get(j.topic());
    if (t == null || t.children.isEmpty() || j.redirects() >= 4) {
      return; // the joiner retries after its timeout
    }
    List<NodeHandle> cs = new ArrayList<>(t.children.keySet());
    cs.remove(joiner);
    int n = Math.min(ScribeCodec.MAX_CANDIDATES, cs.size());
    NodeHandle[] pick = new NodeHandle[n];
    for (int i = 0; i < n; i++) {
      pick[i] = cs.remove(env.random().nextInt(cs.size()));
    }
    if (n > 0) {
      send(joiner, new JoinRedirect(t.id, pick));
    }
  }

  private void redirected(JoinRedirect r, NodeHandle from) {
    Topic t = topics.get(r.topic());
    if (t == null || t.attached() || r.candidates().length == 0) {
      return;
    }
    NodeHandle to = r.candidates()[env.random().nextInt(r.candidates().length)];
    if (!to.equals(self)) {
      send(to, joinMessage(t, 4));
    }
  }

  private void addChild(Topic t, NodeHandle child) {
    Topic.Child c = t.children.get(child);
    if (c == null) {
      t.children.put(child, new Topic.Child(child, now()));
    } else {
      c.lastHeardMillis = now();
    }
    t.lastActivityMillis = now();
  }

  /** The path a child of this node is given: our path plus us. */
  NodeHandle[] pathBelow(Topic t) {
    NodeHandle[] p = Arrays.copyOf(t.path, t.path.length + 1);
    p[t.path.length] = self;
    return p;
  }

  void becomeRoot(Topic t) {
    t.role = Role.ROOT;
    t.parent = null;
    t.path = Topic.NO_PATH;
    t.depth = 0;
    t.rootDelayMillis = 0;
    t.reparentTarget = null;
    t.joinAttempts = 0;
    t.repair = false;
    t.carriedSeen = null;
    t.lastActivityMillis = now();
    NodeHandle[] below = pathBelow(t);
    for (NodeHandle c : t.children.keySet()) {
      send(c, new JoinAck(t.id, below));
    }
    confirmClient(t);
  }

  private void joinAcked(JoinAck a, NodeHandle from) {
    Topic t = topics.get(a.topic());
    boolean reparent = t != null && t.role == Role.ATTACHED && from.equals(t.reparentTarget);
    if (t == null
        || t.role == Role.ROOT
        || (t.role == Role.ATTACHED && !from.equals(t.parent) && !reparent)) {
      send(from, new Leave(a.topic())); // not wanted (any more), or we have another parent
      return;
    }
    for (NodeHandle p : a.path()) {
      if (p.id().equals(self.id())) {
        stats.loopsBroken++;
        send(from, new Leave(a.topic())); // this parent hangs below us: a loop
        if (reparent) {
          t.reparentTarget = null;
          return;
        }
        t.role = Role.JOINING;
        t.parent = null;
        t.nextJoinAtMillis =
            now() + config.joinRetryMillis() + env.random().nextInt((int) config.joinRetryMillis());
        return;
      }
    }
    if (reparent && !from.equals(t.parent)) {
      stats.reparents++;
      send(t.parent, new Leave(t.id));
      t.rootDelayMillis = Topic.UNKNOWN_DELAY; // measured again by the next heartbeat
    } else if (t.role == Role.JOINING) {
      t.rootDelayMillis = Topic.UNKNOWN_DELAY;
    }
    t.reparentTarget = null;
    boolean changed = !Arrays.equals(t.path, a.path());
    t.role = Role.ATTACHED;
    t.parent = from;
    t.path = a.path();
    t.depth = a.path().length;
    t.joinAttempts = 0;
    t.repair = false;
    t.carriedSeen = null;
    if (changed) {
      NodeHandle[] below = pathBelow(t);
      for (NodeHandle c : t.children.keySet()) {
        send(c, new JoinAck(t.id, below));
      }
    }
    confirmClient(t);
  }

  private void confirmClient(Topic t) {
    if (t.client != null && !t.clientConfirmed) {
      t.clientConfirmed = true;
      t.client.subscribed(t.id);
    }
    if (t.client != null && !t.subscribed.isEmpty()) {
      List<CompletableFuture<Void>> waiting = new ArrayList<>(t.subscribed);
      t.subscribed.clear();
      waiting.forEach(f -> f.complete(null));
    }
  }

  /** The subscription of {@code t} ended before it attached: its pending stages are cancelled. */
  private void cancelSubscribed(Topic t) {
    List<CompletableFuture<Void>> waiting = new ArrayList<>(t.subscribed);
    t.subscribed.clear();
    waiting.forEach(f -> f.cancel(false));
  }

  // ---- leaving
  // ------------------------------------------------------------------------------------

  private void leaveReceived(Leave l, NodeHandle from) {
    Topic t = topics.get(l.topic());
    if (t != null && t.children.remove(from) != null) {
      maybePrune(t);
    }
  }

  /**
   * Forgets {@code t} if nobody here or below needs it (a root keeps an empty tree for the buffer
   * window).
   */
  void maybePrune(Topic t) {
    if (t.client != null || !t.children.isEmpty()) {
      return;
    }
    if (t.role == Role.ROOT && now() - t.lastActivityMillis < config.bufferWindowMillis()) {
      return;
    }
    if (t.role == Role.ATTACHED) {
      send(t.parent, new Leave(t.id));
    }
    forget(t);
  }

  void forget(Topic t) {
    t.recent.clear(budget);
    topics.remove(t.id);
  }
}
