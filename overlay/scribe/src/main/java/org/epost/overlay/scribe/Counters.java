package org.epost.overlay.scribe;

import org.epost.overlay.scribe.api.ScribeStatistics;

/** One node's Scribe counters; touched on its event loop only. */
final class Counters implements ScribeStatistics {
  long malformed;
  long duplicates;
  long joinsRefused;
  long rejoins;
  long resends;
  long delivered;
  long loopsBroken;
  long reparents;

  @Override
  public long malformedMessages() {
    return malformed;
  }

  @Override
  public long duplicatesDropped() {
    return duplicates;
  }

  @Override
  public long joinsRefused() {
    return joinsRefused;
  }

  @Override
  public long rejoins() {
    return rejoins;
  }

  @Override
  public long resends() {
    return resends;
  }

  @Override
  public long reparents() {
    return reparents;
  }

  @Override
  public long delivered() {
    return delivered;
  }
}
