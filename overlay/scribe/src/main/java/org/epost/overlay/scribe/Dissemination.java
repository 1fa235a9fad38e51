package org.epost.overlay.scribe;

import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.ScribeMessage.Data;
import org.epost.overlay.scribe.ScribeMessage.Leave;
import org.epost.overlay.scribe.ScribeMessage.Publish;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.ScribeObserver.Leg;
import org.epost.overlay.scribe.api.TopicView.Role;

/**
 * How publications move: arrival at the root, down (and, for a node that wrongly believed it was
 * the root, up) the tree edges, local delivery with duplicates dropped by id, and resending a
 * re-joined child what it missed.
 *
 * <p>Threading: the node's event loop.
 */
final class Dissemination {
  private final ScribeNode node;

  Dissemination(ScribeNode node) {
    this.node = node;
  }

  void publishAtRoot(Publish p, NodeHandle publisher) {
    Topic t = node.topics.get(p.topic());
    if (t == null) {
      if (node.topics.size() >= node.config.maxTopics()) {
        node.stats.joinsRefused++;
        return;
      }
      t = new Topic(p.topic(), node.now());
      node.topics.put(p.topic(), t);
      node.becomeRoot(t);
    } else if (t.role == Role.JOINING) {
      node.becomeRoot(t);
    }
    node.observer.publicationAtRoot(p.topic(), p.publicationId());
    boolean up = t.role == Role.ATTACHED; // we are not the root we believed: send it up as well
    disseminate(
        t, new Data(p.topic(), p.publicationId(), publisher, t.depth, up, p.payload()), null);
  }

  void dataReceived(Data d, NodeHandle from) {
    Topic t = node.topics.get(d.topic());
    boolean fromParent = t != null && from.equals(t.parent);
    boolean fromChild = t != null && d.up() && t.children.containsKey(from);
    if (!fromParent && !fromChild) {
      node.send(from, new Leave(d.topic())); // whoever sent it thinks we are its child; we are not
      return;
    }
    if (d.depth() > ScribeNode.MAX_DEPTH) {
      node.stats.malformed++;
      return;
    }
    disseminate(t, d, from);
  }

  /** Delivers {@code d} locally and passes it on along the tree, except back to {@code from}. */
  private void disseminate(Topic t, Data d, NodeHandle from) {
    if (!t.recent.markSeen(d.publicationId())) {
      node.stats.duplicates++;
      return;
    }
    t.lastActivityMillis = node.now();
    t.recent.buffer(d, node.now(), node.config.bufferPerTopic(), node.budget);
    for (NodeHandle c : t.children.keySet()) {
      if (!c.equals(from)) {
        node.observer.publicationSent(t.id, d.publicationId(), c, Leg.TREE);
        node.send(
            c, new Data(t.id, d.publicationId(), d.publisher(), t.depth + 1, false, d.payload()));
      }
    }
    if (d.up() && t.role == Role.ATTACHED && !t.parent.equals(from)) {
      node.observer.publicationSent(t.id, d.publicationId(), t.parent, Leg.TREE);
      node.send(
          t.parent, new Data(t.id, d.publicationId(), d.publisher(), t.depth, true, d.payload()));
    }
    if (t.client != null) {
      node.stats.delivered++;
      t.client.deliver(
          new Publication(t.id, d.publicationId(), d.publisher(), t.depth, d.payload()));
    }
  }

  /** Sends a re-joined child what it missed, from our recent buffer. */
  void resend(Topic t, NodeHandle child, long[] known) {
    for (Data d : t.recent.missing(known)) {
      node.stats.resends++;
      node.observer.publicationSent(t.id, d.publicationId(), child, Leg.RESEND);
      node.send(
          child, new Data(t.id, d.publicationId(), d.publisher(), t.depth + 1, false, d.payload()));
    }
  }
}
