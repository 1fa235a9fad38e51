package org.epost.overlay.scribe.api;

/** Counters of one node's Scribe instance; monotonic. Read on the node's event loop. */
public interface ScribeStatistics {
  /** Scribe messages that failed to decode or broke a bound; they were dropped. */
  long malformedMessages();

  /** Publications received again (same id) and dropped. */
  long duplicatesDropped();

  /** Join requests not taken because a bound (children per topic, topics per node) was reached. */
  long joinsRefused();

  /** Times this node lost its parent (or its parent forgot it) and re-joined a tree. */
  long rejoins();

  /** Publications sent again to a re-joined child from the recent-publication buffer. */
  long resends();

  /**
   * Times this node re-attached to an ancestor closer in delay to the root (parent optimisation).
   */
  long reparents();

  /** Publications delivered to local subscribers. */
  long delivered();
}
