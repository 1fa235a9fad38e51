package org.epost.overlay.pastry;

import org.epost.overlay.api.NodeStatistics;

/** Plain counters; event-loop confined. */
final class Stats implements NodeStatistics {
  long malformed;
  long reroutes;
  long dropped;
  long refusedJoins;
  long rejoins;

  @Override
  public long malformedFrames() {
    return malformed;
  }

  @Override
  public long reroutes() {
    return reroutes;
  }

  @Override
  public long droppedMessages() {
    return dropped;
  }

  @Override
  public long refusedJoins() {
    return refusedJoins;
  }

  @Override
  public long rejoins() {
    return rejoins;
  }
}
