package org.epost.overlay.pastry;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;

/**
 * Joining and the leaf set's upkeep.
 *
 * <p>Join: the joiner sends JOIN to a bootstrap; it is routed towards the joiner's id, each hop
 * adding its routing-table row, and the root answers JOIN_REPLY (its leaf set and rows). The joiner
 * then ANNOUNCEs itself to every leaf-set member; it becomes ready once both immediate neighbours
 * have acknowledged (so they route its keys to it from then on). No reply within the join timeout:
 * retry through the next bootstrap.
 *
 * <p>Upkeep: each ready node sends a heartbeat to its two immediate neighbours every period,
 * carrying its leaf set when that changed since the last one to that neighbour (and every {@link
 * #FULL_HEARTBEAT_EVERY} rounds anyway); any frame from a neighbour counts as a sign of life. A
 * neighbour silent for the failure timeout is pinged; if it still says nothing it is declared
 * failed, removed, and the other members are told (FAILED). Recently failed ids are remembered for
 * a while (tombstones) so stale lists from other nodes do not bring them back; a tombstone is
 * lifted when the node itself talks to us.
 */
final class Membership {
  static final int TOMBSTONES = 16;

  /** Every this many heartbeats the full leaf set is sent even if unchanged (anti-entropy). */
  static final int FULL_HEARTBEAT_EVERY = 6;

  static final long TOMBSTONE_MILLIS = 120_000;

  /** Join admission: a bucket of this many join requests, refilled at JOIN_RATE per second. */
  static final double JOIN_BURST = 64;

  static final double JOIN_RATE = 16;

  private final PastryNode node;
  private List<Address> bootstraps;
  private int attempt;
  private Cancellable joinTimer;
  private Cancellable heartbeatTimer;
  private Id[] acked; // during ANNOUNCING: neighbours that acknowledged us
  private int ackedCount;
  private Id[] announced;
  private int announcedCount;
  private final Id[] tombstoneIds = new Id[TOMBSTONES];
  // Leaf-set members being probed (a hop that acknowledged late, a FAILED report, a member a
  // neighbour did not list); allocated at the first suspicion.
  private NodeHandle[] suspects;
  private int[]
      suspectProbes; // which probe a slot belongs to: a cleared slot may be reused for the same
  // node
  private int probeSeq;
  private final long[] tombstoneUntil = new long[TOMBSTONES];
  private int tombstoneNext;
  private int tombstoneCount; // non-null entries of tombstoneIds: heardFrom skips the scan at 0
  private int suspectCount; // non-null entries of suspects
  // Failure detector for the two immediate neighbours.
  private NodeHandle watchCw;
  private NodeHandle watchCcw;
  private long heardCw;
  private long heardCcw;
  // What the last heartbeat to each neighbour carried: a heartbeat carries the leaf set only when
  // it changed since, or every FULL_HEARTBEAT_EVERY rounds; otherwise it is a bare sign of life.
  private NodeHandle sentCw;
  private NodeHandle sentCcw;
  private long sentVersionCw = -1;
  private long sentVersionCcw = -1;
  private long heartbeatRound;
  private double joinTokens = JOIN_BURST;
  private long joinTokensAt;
  private boolean rejoining; // READY with an empty leaf set: a JOIN for our own id is out

  Membership(PastryNode node) {
    this.node = node;
  }

  private long now() {
    return node.env.clock().nowMillis();
  }

  // ---- joiner side -------------------------------------------------------------------------

  void startJoin(List<Address> bootstraps) {
    this.bootstraps = List.copyOf(bootstraps);
    this.attempt = 0;
    sendJoin();
  }

  private void sendJoin() {
    if (node.state != PastryNode.State.JOINING) {
      return;
    }
    Address target = bootstraps.get(attempt % bootstraps.size());
    attempt++;
    Message.Routed join =
        new Message.Routed(
            WireFormat.JOIN,
            node.env.random().nextLong(),
            node.self.id(),
            node.self,
            0,
            0,
            null,
            List.of());
    node.sendToBootstrap(target, join);
    joinTimer = node.env.scheduler().schedule(node.config.joinTimeoutMillis(), this::sendJoin);
  }

  private void joinReplied(NodeHandle root, Message.HandleList reply) {
    if (node.state == PastryNode.State.READY && rejoining) {
      rejoined(root, reply);
      return;
    }
    if (node.state != PastryNode.State.JOINING) {
      return;
    }
    joinTimer.cancel();
    node.state = PastryNode.State.ANNOUNCING;
    acked = new Id[node.config.leafSetSize() * 2];
    announced = new Id[node.config.leafSetSize() * 2];
    learnReply(root, reply);
    for (NodeHandle h : node.leafSet.members()) {
      announce(h);
    }
    node.maintenance.probeAll();
    joinTimer = node.env.scheduler().schedule(announceTimeoutMillis(), this::announceCheck);
  }

  /**
   * How long a joiner waits for its nearest neighbours to acknowledge its announcement before it
   * presumes them dead and announces to the next ones: a few acknowledgement timeouts, since an
   * announcement is one round trip (the same three a silent neighbour gets before it is declared
   * failed), and at most the join timeout. A returning node whose old neighbours left in the
   * meantime is ready this much sooner.
   */
  private long announceTimeoutMillis() {
    return Math.min(node.config.joinTimeoutMillis(), 3 * node.config.ackTimeoutMillis());
  }

  private void announce(NodeHandle h) {
    for (int i = 0; i < announcedCount; i++) {
      if (announced[i].equals(h.id())) {
        return;
      }
    }
    if (announcedCount < announced.length) {
      announced[announcedCount++] = h.id();
    }
    node.send(h, new Message.HandleList(WireFormat.ANNOUNCE, node.leafSet.members(), List.of()));
  }

  /** Remembers an acknowledgement; when full, forgets acks of nodes no longer in the leaf set. */
  private void recordAck(Id id) {
    for (int i = 0; i < ackedCount; i++) {
      if (acked[i].equals(id)) {
        return;
      }
    }
    if (ackedCount == acked.length) {
      int k = 0;
      for (int i = 0; i < ackedCount; i++) {
        if (node.leafSet.contains(acked[i])) {
          acked[k++] = acked[i];
        }
      }
      ackedCount = k;
      if (ackedCount == acked.length) {
        System.arraycopy(acked, 1, acked, 0, --ackedCount);
      }
    }
    acked[ackedCount++] = id;
  }

  private boolean isAcked(NodeHandle h) {
    if (h == null) {
      return true;
    }
    for (int i = 0; i < ackedCount; i++) {
      if (acked[i].equals(h.id())) {
        return true;
      }
    }
    return false;
  }

  private void checkReady() {
    if (node.state == PastryNode.State.ANNOUNCING
        && isAcked(node.leafSet.nearestClockwise())
        && isAcked(node.leafSet.nearestAnticlockwise())) {
      joinTimer.cancel();
      acked = null;
      announced = null;
      node.becomeReady();
    }
  }

  /** Neighbours that did not acknowledge in time are presumed dead; announce to the next ones. */
  private void announceCheck() {
    if (node.state != PastryNode.State.ANNOUNCING) {
      return;
    }
    NodeHandle cw = node.leafSet.nearestClockwise();
    NodeHandle ccw = node.leafSet.nearestAnticlockwise();
    if (!isAcked(cw)) {
      declareFailed(cw, false);
    }
    if (!isAcked(ccw)) {
      declareFailed(ccw, false);
    }
    if (node.leafSet.isEmpty()) {
      node.state = PastryNode.State.JOINING; // everyone we knew is gone: start over
      acked = null;
      announced = null;
      sendJoin();
      return;
    }
    announcedCount = 0; // re-announce to the new nearest ones
    announce(
        node.leafSet.nearestClockwise() == null
            ? node.leafSet.nearestAnticlockwise()
            : node.leafSet.nearestClockwise());
    if (node.leafSet.nearestAnticlockwise() != null) {
      announce(node.leafSet.nearestAnticlockwise());
    }
    checkReady();
    if (node.state == PastryNode.State.ANNOUNCING) {
      joinTimer = node.env.scheduler().schedule(announceTimeoutMillis(), this::announceCheck);
    }
  }

  // ---- root and hops of somebody else's join -------------------------------------------------

  /** Token bucket against join floods; true if this join may be handled. */
  boolean admitJoin() {
    long now = now();
    joinTokens = Math.min(JOIN_BURST, joinTokens + (now - joinTokensAt) * JOIN_RATE / 1000.0);
    joinTokensAt = now;
    if (joinTokens < 1) {
      node.stats.refusedJoins++;
      return false;
    }
    joinTokens -= 1;
    return true;
  }

  /** An intermediate hop adds the row the joiner shares with it. */
  Message.Routed addJoinRows(Message.Routed m) {
    int row = node.self.id().sharedPrefixLength(m.key);
    for (Message.JoinRow r : m.rows) {
      if (r.row() == row) {
        return m;
      }
    }
    if (m.rows.size() >= MessageCodec.MAX_ROWS) {
      return m;
    }
    List<Message.JoinRow> rows = new ArrayList<>(m.rows);
    rows.add(new Message.JoinRow(row, withSelf(node.table.row(row), row, m.key)));
    return m.withRows(rows);
  }

  private List<NodeHandle> withSelf(List<NodeHandle> row, int rowIndex, Id joiner) {
    // Our own handle belongs in the joiner's row at our digit; put it there unless taken.
    int digit = node.self.id().digit(rowIndex);
    for (NodeHandle h : row) {
      if (h.id().digit(rowIndex) == digit) {
        return row;
      }
    }
    if (digit != joiner.digit(rowIndex)) {
      row.add(node.self);
    }
    return row;
  }

  void joinArrivedAtRoot(Message.Routed m) {
    if (!node.isReady()) {
      return; // a node that is joining itself cannot take responsibility; the joiner retries
    }
    List<Message.JoinRow> rows = new ArrayList<>(m.rows);
    int first = node.self.id().sharedPrefixLength(m.key);
    int last = node.table.highestRow();
    for (int r = first; r <= last && rows.size() < MessageCodec.MAX_ROWS; r++) {
      boolean present = false;
      for (Message.JoinRow jr : rows) {
        present |= jr.row() == r;
      }
      if (!present) {
        rows.add(new Message.JoinRow(r, withSelf(node.table.row(r), r, m.key)));
      }
    }
    List<NodeHandle> members = node.leafSet.members();
    members.removeIf(h -> h.id().equals(m.key));
    node.send(m.source, new Message.HandleList(WireFormat.JOIN_REPLY, members, rows));
  }

  // ---- leaf-set upkeep ----------------------------------------------------------------------

  void startHeartbeats() {
    long period = node.config.heartbeatMillis();
    heardCw = heardCcw = now();
    heartbeatTimer =
        node.env
            .scheduler()
            .schedule(
                node.env.random().nextInt((int) Math.min(period, Integer.MAX_VALUE)),
                this::heartbeat);
  }

  private void heartbeat() {
    if (node.state != PastryNode.State.READY) {
      return;
    }
    if (node.leafSet.isEmpty()) {
      rejoin();
    }
    NodeHandle cw = node.leafSet.nearestClockwise();
    NodeHandle ccw = node.leafSet.nearestAnticlockwise();
    List<NodeHandle> members = null;
    heartbeatRound++;
    boolean refresh = heartbeatRound % FULL_HEARTBEAT_EVERY == 0;
    if (cw != null) {
      boolean full = refresh || cw != sentCw || sentVersionCw != node.leafSet.version();
      members = full ? node.leafSet.members() : List.of();
      node.send(cw, new Message.HandleList(WireFormat.HEARTBEAT, members, List.of()));
      sentCw = cw;
      sentVersionCw = node.leafSet.version();
    }
    if (ccw != null && !ccw.equals(cw)) {
      boolean full = refresh || ccw != sentCcw || sentVersionCcw != node.leafSet.version();
      List<NodeHandle> list =
          full
              ? (members != null && !members.isEmpty() ? members : node.leafSet.members())
              : List.of();
      node.send(ccw, new Message.HandleList(WireFormat.HEARTBEAT, list, List.of()));
      sentCcw = ccw;
      sentVersionCcw = node.leafSet.version();
    }
    checkNeighbours();
    heartbeatTimer = node.env.scheduler().schedule(node.config.heartbeatMillis(), this::heartbeat);
  }

  private void checkNeighbours() {
    long now = now();
    NodeHandle cw = node.leafSet.nearestClockwise();
    NodeHandle ccw = node.leafSet.nearestAnticlockwise();
    if (cw != watchCw) {
      watchCw = cw;
      heardCw = now;
    }
    if (ccw != watchCcw) {
      watchCcw = ccw;
      heardCcw = now;
    }
    if (cw != null && now - heardCw > node.config.failureTimeoutMillis()) {
      suspect(cw);
    }
    if (ccw != null && !ccw.equals(cw) && now - heardCcw > node.config.failureTimeoutMillis()) {
      suspect(ccw);
    }
  }

  /** Ping a silent neighbour; declare it failed if the ping goes unanswered. */
  private void suspect(NodeHandle h) {
    long sent = now();
    node.maintenance.ping(h);
    node.env
        .scheduler()
        .schedule(
            3 * node.config.ackTimeoutMillis(),
            () -> {
              boolean heard =
                  (h == watchCw && heardCw >= sent) || (h == watchCcw && heardCcw >= sent);
              if (!heard
                  && node.leafSet.contains(h.id())
                  && node.state != PastryNode.State.STOPPED) {
                declareFailed(h, true);
              }
            });
  }

  /**
   * Every member of our leaf set was declared failed (this node was cut off, or all its neighbours
   * left at once) while the ring may well be alive: heartbeats have nobody to go to, so nothing
   * would ever bring this node back. Route a JOIN for our own id through any node we still know (a
   * routing-table entry, else a bootstrap); the hops exclude us as the root, and the reply's leaf
   * set is announced to like after a first join. Verdicts taken while cut off are void, so the
   * tombstones go. Retried every heartbeat until the leaf set is no longer empty.
   */
  private void rejoin() {
    List<NodeHandle> known = node.table.entries();
    Address via;
    if (!known.isEmpty()) {
      via = known.get(node.env.random().nextInt(known.size())).address();
    } else if (bootstraps != null && !bootstraps.isEmpty()) {
      via = bootstraps.get(attempt++ % bootstraps.size());
    } else {
      return; // the first node of a ring, alone: nobody to ask
    }
    rejoining = true;
    node.stats.rejoins++;
    java.util.Arrays.fill(tombstoneIds, null);
    tombstoneCount = 0;
    node.sendToBootstrap(
        via,
        new Message.Routed(
            WireFormat.JOIN,
            node.env.random().nextLong(),
            node.self.id(),
            node.self,
            0,
            0,
            null,
            List.of()));
  }

  /**
   * Takes in a JOIN_REPLY: the root, its leaf set, and the routing-table rows gathered on the way.
   */
  private void learnReply(NodeHandle root, Message.HandleList reply) {
    learn(root);
    for (NodeHandle h : reply.handles()) {
      learn(h);
    }
    for (Message.JoinRow row : reply.rows()) {
      for (NodeHandle h : row.entries()) {
        if (!h.id().equals(node.self.id())) {
          node.table.offer(h, RoutingTable.UNKNOWN_RTT);
        }
      }
    }
  }

  private void rejoined(NodeHandle root, Message.HandleList reply) {
    rejoining = false;
    learnReply(root, reply);
    Message.HandleList announce =
        new Message.HandleList(WireFormat.ANNOUNCE, node.leafSet.members(), List.of());
    for (NodeHandle h : node.leafSet.members()) {
      node.send(h, announce);
    }
  }

  /** Any frame from {@code h} proves it alive. */
  void heardFrom(NodeHandle h) {
    if (h == watchCw || (watchCw != null && watchCw.id().equals(h.id()))) {
      heardCw = now();
    }
    if (h == watchCcw || (watchCcw != null && watchCcw.id().equals(h.id()))) {
      heardCcw = now();
    }
    for (int i = 0; i < TOMBSTONES && tombstoneCount > 0; i++) {
      if (tombstoneIds[i] != null && tombstoneIds[i].equals(h.id())) {
        tombstoneIds[i] = null;
        tombstoneCount--;
      }
    }
    for (int i = 0; suspectCount > 0 && i < suspects.length; i++) { // suspectCount > 0: allocated
      if (suspects[i] != null && suspects[i].id().equals(h.id())) {
        suspects[i] = null;
        suspectCount--;
      }
    }
  }

  private boolean isTombstoned(Id id) {
    if (tombstoneCount == 0) {
      return false;
    }
    long now = now();
    for (int i = 0; i < TOMBSTONES; i++) {
      if (tombstoneIds[i] != null && tombstoneIds[i].equals(id)) {
        if (tombstoneUntil[i] > now) {
          return true;
        }
        tombstoneIds[i] = null;
        tombstoneCount--;
      }
    }
    return false;
  }

  /**
   * {@code h} is dead: forget it, remember it for a while, and (if {@code tell}) tell the leaf set.
   */
  void declareFailed(NodeHandle h, boolean tell) {
    if (h == null) {
      return;
    }
    node.table.remove(h.id());
    if (!isTombstoned(h.id())) {
      if (tombstoneIds[tombstoneNext] == null) {
        tombstoneCount++;
      }
      tombstoneIds[tombstoneNext] = h.id();
      tombstoneUntil[tombstoneNext] = now() + TOMBSTONE_MILLIS;
      tombstoneNext = (tombstoneNext + 1) % TOMBSTONES;
    }
    if (node.leafSet.remove(h.id())) {
      if (node.hasApplications()) {
        node.notifyUpdate(h, false);
      }
      if (tell && node.state == PastryNode.State.READY) {
        for (NodeHandle m : node.leafSet.members()) {
          node.send(m, new Message.Failed(h));
        }
      }
    }
  }

  /**
   * Adds a node we were told about, unless we recently found it dead. Returns true if the leaf set
   * changed.
   */
  boolean learn(NodeHandle h) {
    if (node.leafSet.containsInstance(h) || h.id().equals(node.self.id()) || isTombstoned(h.id())) {
      return false;
    }
    node.table.offer(h, RoutingTable.UNKNOWN_RTT);
    if (!node.hasApplications()) {
      return node.leafSet.add(h);
    }
    // An insertion can push out only the furthest member of a full side; remember those two
    // rather than copying the whole leaf set on every learn.
    NodeHandle cwLast = node.leafSet.evictableClockwise();
    NodeHandle ccwLast = node.leafSet.evictableAnticlockwise();
    if (!node.leafSet.add(h)) {
      return false;
    }
    node.notifyUpdate(h, true);
    if (ccwLast != null && !node.leafSet.contains(ccwLast.id())) {
      node.notifyUpdate(ccwLast, false); // same order as members(): anticlockwise side first
    }
    if (cwLast != null
        && !node.leafSet.contains(cwLast.id())
        && (ccwLast == null || !cwLast.id().equals(ccwLast.id()))) {
      node.notifyUpdate(cwLast, false);
    }
    return true;
  }

  void received(NodeHandle sender, Message m) {
    switch (m.type()) {
      case WireFormat.JOIN_REPLY:
        joinReplied(sender, (Message.HandleList) m);
        break;
      case WireFormat.ANNOUNCE:
        learn(sender);
        mergeList(((Message.HandleList) m).handles());
        node.send(
            sender,
            new Message.HandleList(WireFormat.ANNOUNCE_ACK, node.leafSet.members(), List.of()));
        break;
      case WireFormat.ANNOUNCE_ACK:
        if (node.state == PastryNode.State.ANNOUNCING) {
          recordAck(sender.id());
        }
        learn(sender);
        mergeList(((Message.HandleList) m).handles());
        checkReady();
        break;
      case WireFormat.HEARTBEAT:
        learn(sender);
        mergeList(((Message.HandleList) m).handles());
        suspectMissing(sender, ((Message.HandleList) m).handles());
        break;
      case WireFormat.FAILED:
        {
          // Hearsay: a member reports a node dead. Check before acting; one node's late or false
          // verdict must not evict a live node from every leaf set.
          NodeHandle dead = ((Message.Failed) m).dead();
          if (!dead.id().equals(node.self.id())) {
            suspect(dead, false);
          }
          break;
        }
      default:
        node.stats.malformed++;
    }
  }

  /**
   * A neighbour's leaf set should contain every member of ours that lies within its range. One that
   * is missing may have died unnoticed by us (only immediate neighbours watch each other): ping it,
   * and drop it if it stays silent. Costs nothing while leaf sets agree.
   */
  private void suspectMissing(NodeHandle neighbour, List<NodeHandle> theirs) {
    if (node.state != PastryNode.State.READY || theirs.isEmpty()) {
      return;
    }
    boolean whole = theirs.size() < node.config.leafSetSize();
    Id first = theirs.get(0).id();
    Id span = first.clockwiseDistance(theirs.get(theirs.size() - 1).id());
    for (NodeHandle mine : node.leafSet.members()) {
      if (mine.id().equals(neighbour.id())
          || (!whole && first.clockwiseDistance(mine.id()).compareTo(span) > 0)) {
        continue;
      }
      boolean listed = false;
      for (NodeHandle t : theirs) {
        if (t.id().equals(mine.id())) {
          listed = true;
          break;
        }
      }
      if (!listed) {
        probeSuspect(mine, false);
      }
    }
  }

  /**
   * {@code h} may be dead (it did not acknowledge a hop, or a member reported it): it leaves the
   * routing table, whose maintenance finds a replacement, and if it is a leaf-set member it is
   * probed ({@link #probeSuspect}). Only an unanswered probe removes it from the leaf set.
   */
  void suspect(NodeHandle h, boolean tell) {
    node.table.remove(h.id());
    if (node.leafSet.contains(h.id())) {
      probeSuspect(h, tell);
    }
  }

  /**
   * Pings leaf-set member {@code h} and declares it failed (telling the other members if {@code
   * tell}) only if nothing at all arrives from it within three ack timeouts; any frame from it, a
   * late acknowledgement included, clears the suspicion. At most one probe per member.
   */
  private void probeSuspect(NodeHandle h, boolean tell) {
    if (suspects == null) {
      suspects = new NodeHandle[2 * node.config.leafSetSize()]; // room for every member
      suspectProbes = new int[suspects.length];
    }
    int free = -1;
    for (int i = 0; i < suspects.length; i++) {
      if (suspects[i] == null) {
        free = free < 0 ? i : free;
      } else if (suspects[i].id().equals(h.id())) {
        return; // already being checked
      }
    }
    if (free < 0) {
      return; // every slot is taken by a member under probe
    }
    int probe = ++probeSeq;
    suspects[free] = h;
    suspectProbes[free] = probe;
    suspectCount++;
    int slot = free;
    node.maintenance.ping(h);
    node.env
        .scheduler()
        .schedule(
            3 * node.config.ackTimeoutMillis(),
            () -> {
              if (suspects[slot] == h
                  && suspectProbes[slot] == probe) { // not cleared by a frame from h
                suspects[slot] = null;
                suspectCount--;
                declareFailed(h, tell);
              }
            });
  }

  private void mergeList(List<NodeHandle> handles) {
    for (NodeHandle h : handles) {
      if (learn(h) && node.state == PastryNode.State.ANNOUNCING) {
        announce(h);
      }
    }
  }

  void stop() {
    if (joinTimer != null) {
      joinTimer.cancel();
    }
    if (heartbeatTimer != null) {
      heartbeatTimer.cancel();
    }
  }
}
