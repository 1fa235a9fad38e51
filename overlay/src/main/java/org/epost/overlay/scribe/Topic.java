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

  static final Id[] NO_PATH = new Id[0];

  final TopicId id;
  Role role = Role.JOINING;
  NodeHandle parent; // when ATTACHED
  Id[] path = NO_PATH; // ids from the root down to the parent, when ATTACHED
  int depth;
  final LinkedHashMap<NodeHandle, Child> children = new LinkedHashMap<>();
  ScribeClient client;
  boolean clientConfirmed;
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
    for (Id p : path) {
      if (p.equals(node)) {
        return true;
      }
    }
    return false;
  }

  TopicView view() {
    List<NodeHandle> cs = new ArrayList<>(children.keySet());
    return new TopicView(role, role == Role.ATTACHED ? parent : null, List.copyOf(cs), depth, client != null);
  }
}
