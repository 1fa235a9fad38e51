package org.epost.post.store;

import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.api.PastStatistics;

/**
 * Counts what a node asks of its real PAST (lookups, inserts and the most in flight at once,
 * renewals) and passes every call through unchanged: the observer a test uses to see which blocks
 * the store fetched.
 */
final class CountingPast implements Past {
  private final Past past;
  int lookups;
  int inserts;
  int renewals;
  int insertsInFlight;
  int maxInsertsInFlight;

  CountingPast(Past past) {
    this.past = past;
  }

  void reset() {
    lookups = 0;
    inserts = 0;
    renewals = 0;
    maxInsertsInFlight = 0;
  }

  @Override
  public CompletionStage<Integer> insert(PastObject object) {
    inserts++;
    insertsInFlight++;
    maxInsertsInFlight = Math.max(maxInsertsInFlight, insertsInFlight);
    return past.insert(object).whenComplete((n, f) -> insertsInFlight--);
  }

  @Override
  public CompletionStage<PastObject> lookup(Id id) {
    lookups++;
    return past.lookup(id);
  }

  @Override
  public CompletionStage<Integer> renew(Id id, long expiryMillis) {
    renewals++;
    return past.renew(id, expiryMillis);
  }

  @Override
  public PastStatistics statistics() {
    return past.statistics();
  }

  @Override
  public void stop() {
    past.stop();
  }
}
