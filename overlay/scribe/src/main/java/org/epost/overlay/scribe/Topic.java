package org.epost.overlay.scribe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.api.ScribeClient;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.scribe.api.TopicView;
import org.epost.overlay.scribe.api.TopicView.Role;

/** One node's state in one topic's tree. Touched only on the node's event loop. */
final class Topic {
  /** A child as its parent knows it. */
  static final class Child {
    final NodeHandle handle;
    long lastHeardMillis;
    int rttMillis = Integer.MAX_VALUE; // as the child last reported it

    Child(NodeHandle handle, long now) {
      this.handle = handle;
      this.lastHeardMillis = now;
    }
  }

  static final NodeHandle[] NO_PATH = new NodeHandle[0];

  /** Root delay not measured yet. */
  static final int UNKNOWN_DELAY = Integer.MAX_VALUE;

  final TopicId id;
  Role role = Role.JOINING;
  NodeHandle parent; // when ATTACHED
  NodeHandle[] path = NO_PATH; // nodes from the root down to the parent, when ATTACHED
  int depth;
  int rootDelayMillis = UNKNOWN_DELAY; // estimated one-way delay from the root along the tree
  // parent optimisation (ADR 0077)
  long nextOptimizeAtMillis;
  long probeRoundAtMillis = -1;
  int probeNonce;
  final java.util.HashMap<NodeHandle, Long> probesSent = new java.util.HashMap<>();
  NodeHandle bestCandidate;
  int bestCandidateDelay = UNKNOWN_DELAY;
  NodeHandle reparentTarget;
  final LinkedHashMap<NodeHandle, Child> children = new LinkedHashMap<>();
  ScribeClient client;
  boolean clientConfirmed;

  /** Stages returned by subscribe, completed when this node attaches (or failed at stop). */
  final List<java.util.concurrent.CompletableFuture<Void>> subscribed = new ArrayList<>(1);

  // joining
  int joinAttempts;
  long nextJoinAtMillis;
  boolean repair; // the next join asks for missed publications
  long[] carriedSeen; // seen ids of a child whose repair join we took while not attached
  // the root and empty trees
  long lastActivityMillis;
  final RecentPublications recent = new RecentPublications();

  Topic(TopicId id, long now) {
    this.id = id;
    this.lastActivityMillis = now;
  }

  boolean attached() {
    return role != Role.JOINING;
  }

  boolean inPath(Id node) {
    for (NodeHandle p : path) {
      if (p.id().equals(node)) {
        return true;
      }
    }
    return false;
  }

  TopicView view() {
    List<NodeHandle> cs = new ArrayList<>(children.keySet());
    return new TopicView(
        role, role == Role.ATTACHED ? parent : null, List.copyOf(cs), depth, client != null);
  }
}
