package org.epost.overlay.scribe.api;

import java.util.List;
import org.epost.overlay.api.NodeHandle;

/**
 * A snapshot of this node's part in one topic's tree, for diagnostics and tests.
 *
 * @param role this node's role in the tree
 * @param parent the parent when {@link Role#ATTACHED}, else null
 * @param children the children, in the order they attached
 * @param depth tree hops from the root (0 at the root; last known value while re-joining)
 * @param subscribed whether a local client is subscribed
 */
public record TopicView(
    Role role, NodeHandle parent, List<NodeHandle> children, int depth, boolean subscribed) {
  /** A node's role in a topic's tree. */
  public enum Role {
    /** Sent a join (or lost its parent and re-joins); not connected to the root yet. */
    JOINING,
    /** Has a parent that acknowledged it. */
    ATTACHED,
    /** The root: publications for the topic arrive here and flow down. */
    ROOT
  }
}
