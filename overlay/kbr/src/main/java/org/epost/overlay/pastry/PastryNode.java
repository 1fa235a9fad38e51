package org.epost.overlay.pastry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.FrameReceiver;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.NodeStatistics;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.PastryConfig;

/**
 * One Pastry node. Owns the leaf set and routing table; delegates routing to {@link Forwarder},
 * joining and leaf-set upkeep to {@link Membership}, routing-table upkeep to {@link
 * TableMaintenance}.
 *
 * <p>Threading: every method runs on the node's event loop (the environment's scheduler); nothing
 * here is thread-safe and nothing needs to be.
 */
final class PastryNode implements OverlayNode, FrameReceiver {
  enum State {
    NEW,
    JOINING,
    ANNOUNCING,
    READY,
    STOPPED
  }

  final NodeEnvironment env;
  final PastryConfig config;
  final NodeHandle self;
  final LeafSet leafSet;
  final RoutingTable table;
  final Stats stats = new Stats();
  final Forwarder forwarder;
  final Membership membership;
  final TableMaintenance maintenance;
  State state = State.NEW;
  private int[] appIds = new int[0];
  private OverlayApplication[] apps = new OverlayApplication[0];

  PastryNode(Id id, NodeEnvironment env, PastryConfig config) {
    this.env = env;
    this.config = config;
    this.self = new NodeHandle(id, env.transport().localAddress());
    this.leafSet = new LeafSet(self, config.leafSetSize());
    this.table = new RoutingTable(id);
    this.forwarder = new Forwarder(this);
    this.membership = new Membership(this);
    this.maintenance = new TableMaintenance(this);
    env.transport().setReceiver(this);
  }

  // ---- life cycle -------------------------------------------------------------------------

  @Override
  public void createRing() {
    confined("OverlayNode.createRing");
    requireState(State.NEW);
    becomeReady();
  }

  @Override
  public void join(List<Address> bootstraps) {
    confined("OverlayNode.join");
    requireState(State.NEW);
    if (bootstraps.isEmpty()) {
      throw new IllegalArgumentException("join needs at least one bootstrap address");
    }
    state = State.JOINING;
    membership.startJoin(bootstraps);
  }

  @Override
  public void stop() {
    confined("OverlayNode.stop");
    state = State.STOPPED;
    membership.stop();
    maintenance.stop();
    forwarder.stop();
  }

  void becomeReady() {
    state = State.READY;
    membership.startHeartbeats();
    maintenance.start();
    forwarder.flushBuffered();
  }

  /**
   * The run-time check of the public entry points: a caller on another thread fails here, at once,
   * instead of racing the loop. Frame delivery and internal paths do not check.
   */
  private void confined(String what) {
    LoopConfinement.check(env.scheduler(), what);
  }

  private void requireState(State expected) {
    if (state != expected) {
      throw new IllegalStateException("node is " + state + ", expected " + expected);
    }
  }

  // ---- KBR API --------------------------------------------------------------------------------

  @Override
  public NodeHandle localHandle() {
    return self;
  }

  @Override
  public boolean isReady() {
    confined("KeyBasedRouter.isReady");
    return state == State.READY;
  }

  @Override
  public NodeEnvironment environment() {
    return env;
  }

  @Override
  public AppEndpoint register(int applicationId, OverlayApplication application) {
    confined("KeyBasedRouter.register");
    if (applicationId < KeyBasedRouter.FIRST_APPLICATION_ID || applicationId > 0xFFFF) {
      throw new IllegalArgumentException("application id must be in 16..65535: " + applicationId);
    }
    if (application(applicationId) != null) {
      throw new IllegalArgumentException(
          "application id " + applicationId + " is already registered");
    }
    int n = appIds.length;
    appIds = java.util.Arrays.copyOf(appIds, n + 1);
    apps = java.util.Arrays.copyOf(apps, n + 1);
    appIds[n] = applicationId;
    apps[n] = application;
    return new Endpoint(applicationId);
  }

  OverlayApplication application(int appId) {
    for (int i = 0; i < appIds.length; i++) {
      if (appIds[i] == appId) {
        return apps[i];
      }
    }
    return null;
  }

  boolean hasApplications() {
    return apps.length > 0;
  }

  void notifyUpdate(NodeHandle h, boolean joined) {
    for (OverlayApplication a : apps) {
      a.update(h, joined);
    }
  }

  @Override
  public List<NodeHandle> replicaSet(Id key, int k) {
    confined("KeyBasedRouter.replicaSet");
    return closestKnown(key, k);
  }

  private List<NodeHandle> closestKnown(Id key, int k) {
    if (k == 1) { // the root alone (Scribe asks this of every topic it roots): one pass, no sort
      NodeHandle best = self;
      for (NodeHandle h : leafSet.members()) {
        if (!h.equals(best) && key.isCloser(h.id(), best.id())) {
          best = h;
        }
      }
      return Collections.singletonList(best);
    }
    List<NodeHandle> all = leafSet.members();
    all.add(self);
    all.sort((a, b) -> a.equals(b) ? 0 : key.isCloser(a.id(), b.id()) ? -1 : 1);
    return Collections.unmodifiableList(
        new ArrayList<>(all.subList(0, Math.min(Math.max(k, 0), all.size()))));
  }

  @Override
  public List<NodeHandle> leafSet() {
    confined("KeyBasedRouter.leafSet");
    return Collections.unmodifiableList(leafSet.members());
  }

  @Override
  public List<NodeHandle> routingTableEntries() {
    confined("KeyBasedRouter.routingTableEntries");
    return Collections.unmodifiableList(table.entries());
  }

  @Override
  public NodeStatistics statistics() {
    confined("KeyBasedRouter.statistics");
    return stats;
  }

  private final class Endpoint implements AppEndpoint {
    private final int appId;

    Endpoint(int appId) {
      this.appId = appId;
    }

    @Override
    public int applicationId() {
      return appId;
    }

    @Override
    public void route(Id key, byte[] payload, NodeHandle hint) {
      confined("AppEndpoint.route");
      checkPayload(payload);
      if (state != State.READY) {
        throw new IllegalStateException("cannot route: node is " + state + ", not ready");
      }
      forwarder.routeFromHere(key, appId, payload.clone(), hint);
    }

    @Override
    public void sendDirect(NodeHandle to, byte[] payload) {
      confined("AppEndpoint.sendDirect");
      checkPayload(payload);
      if (state == State.STOPPED) {
        throw new IllegalStateException("node is stopped");
      }
      if (to.equals(self)) {
        deliverDirect(self, appId, payload.clone());
      } else {
        send(to, new Message.Direct(appId, payload.clone()));
      }
    }

    @Override
    public List<NodeHandle> replicaSet(Id key, int k) {
      confined("AppEndpoint.replicaSet");
      return closestKnown(key, k);
    }

    @Override
    public KeyBasedRouter router() {
      return PastryNode.this;
    }

    private void checkPayload(byte[] payload) {
      if (payload.length > KeyBasedRouter.MAX_PAYLOAD_BYTES) {
        throw new IllegalArgumentException(
            "payload of " + payload.length + " bytes exceeds " + KeyBasedRouter.MAX_PAYLOAD_BYTES);
      }
    }
  }

  // ---- routing state ----------------------------------------------------------------------

  /**
   * The next hop for {@code key}: this node's own handle when it is the root. {@code excluded} (may
   * be null) is never chosen (a joining node is not the root of its own join).
   */
  NodeHandle nextHop(Id key, Id excluded) {
    return nextHop(key, excluded, null);
  }

  /**
   * {@link #nextHop(Id, Id)} avoiding {@code avoided} too (may be null): a hop that just failed to
   * acknowledge.
   */
  NodeHandle nextHop(Id key, Id excluded, Id avoided) {
    if (leafSet.covers(key)) {
      return leafSet.closest(key, excluded, avoided);
    }
    int row = self.id().sharedPrefixLength(key);
    NodeHandle h = table.get(row, key.digit(row));
    if (h != null && allowed(h, excluded, avoided)) {
      return h;
    }
    // Rare case: any known node sharing as long a prefix and numerically closer.
    NodeHandle best = self;
    for (NodeHandle m : leafSet.members()) {
      if (allowed(m, excluded, avoided)
          && m.id().sharedPrefixLength(key) >= row
          && key.isCloser(m.id(), best.id())) {
        best = m;
      }
    }
    for (NodeHandle m : table.entries()) {
      if (allowed(m, excluded, avoided)
          && m.id().sharedPrefixLength(key) >= row
          && key.isCloser(m.id(), best.id())) {
        best = m;
      }
    }
    return best;
  }

  private static boolean allowed(NodeHandle h, Id excluded, Id avoided) {
    return !h.id().equals(excluded) && !h.id().equals(avoided);
  }

  /**
   * A hop did not acknowledge in time. That alone proves nothing (a busy node acknowledges late,
   * and one late answer must not evict a live node from every leaf set): it leaves the routing
   * table, whose maintenance finds a replacement, and a leaf-set member is probed; only a probe
   * that goes unanswered removes it and tells the other members.
   */
  void hopUnanswered(NodeHandle h) {
    membership.suspect(h, true);
  }

  // ---- network ----------------------------------------------------------------------------

  /**
   * Sends {@code m} to {@code to}; the transport delivers it only to the node holding {@code
   * to.id()}.
   */
  void send(NodeHandle to, Message m) {
    if (state == State.STOPPED) {
      return;
    }
    env.transport().send(to.address(), to.id(), MessageCodec.encode(self, m));
  }

  /** Sends {@code m} to whoever is at a bootstrap address (its id is not known yet). */
  void sendToBootstrap(Address to, Message m) {
    if (state == State.STOPPED) {
      return;
    }
    env.transport().send(to, null, MessageCodec.encode(self, m));
  }

  @Override
  public void receive(Address from, byte[] frame) {
    if (state == State.STOPPED) {
      return;
    }
    MessageCodec.Inbound in;
    try {
      in = MessageCodec.decode(frame, env.interner());
    } catch (MalformedFrameException e) {
      stats.malformed++;
      return;
    }
    NodeHandle sender = in.sender();
    if (sender.id().equals(self.id())) {
      stats.malformed++; // someone claims our id
      return;
    }
    membership.heardFrom(sender);
    Message m = in.message();
    switch (m.type()) {
      case WireFormat.ROUTE:
      case WireFormat.JOIN:
        forwarder.received((Message.Routed) m, sender);
        break;
      case WireFormat.ACK:
        forwarder.acknowledged(sender, ((Message.Ack) m).msgId());
        break;
      case WireFormat.RECEIPT:
        forwarder.receipt(((Message.Ack) m).msgId());
        break;
      case WireFormat.DIRECT:
        deliverDirect(sender, ((Message.Direct) m).appId(), ((Message.Direct) m).payload());
        break;
      case WireFormat.JOIN_REPLY:
      case WireFormat.ANNOUNCE:
      case WireFormat.ANNOUNCE_ACK:
      case WireFormat.HEARTBEAT:
      case WireFormat.FAILED:
        membership.received(sender, m);
        break;
      case WireFormat.PING:
      case WireFormat.PONG:
      case WireFormat.ROW_REQUEST:
      case WireFormat.ROW_REPLY:
        maintenance.received(sender, m);
        break;
      default:
        stats.malformed++;
    }
  }

  private void deliverDirect(NodeHandle from, int appId, byte[] payload) {
    OverlayApplication app = application(appId);
    if (app == null) {
      stats.dropped++;
      return;
    }
    app.deliver(new Delivery(null, from, 0, appId, payload));
  }

  @Override
  public String toString() {
    return "PastryNode" + self + " " + state;
  }
}
