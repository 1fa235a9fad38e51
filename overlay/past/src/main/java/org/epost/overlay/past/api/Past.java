package org.epost.overlay.past.api;

import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.LoopOnly;

/**
 * PAST replicated storage on one overlay node.
 *
 * <p>Every object lives on the k live nodes whose ids are numerically closest to its id (its
 * replica set). Nodes exchange digests of what they hold whenever their leaf set changes and
 * periodically, and fetch only what they lack, so the replica set returns to k after failures.
 * Nothing a storer returns is trusted: readers verify every object against its id (hash or owner
 * signature) and move on to another replica when a copy is wrong.
 *
 * <p>Threading: call every method on the node's event loop. Every returned stage is completed on
 * that loop, exceptionally with a {@link PastException} subclass.
 */
@LoopOnly
public interface Past {
  /**
   * Stores {@code object} on its replica set. Completes with the number of replicas that stored it
   * durably once that is a majority of k; completes exceptionally with {@link
   * PastException.InsertFailedException} if no majority answers in time. Idempotent: inserting the
   * same immutable object again, or an older version of a mutable one, changes nothing.
   */
  CompletionStage<Integer> insert(PastObject object);

  /**
   * Reads object {@code id}: from the first replica met on the route (routes converge near the
   * source, so this is a nearby one), then from the other replicas ordered by measured round-trip
   * time. Every copy is verified; a bad copy is counted ({@link
   * PastStatistics#corruptionsDetected}) and skipped. For a mutable object every replica is asked
   * and the highest valid version wins. Completes exceptionally with {@link
   * PastException.ObjectNotFoundException} if no valid copy is found.
   */
  CompletionStage<PastObject> lookup(Id id);

  /**
   * Extends the lease of immutable object {@code id} to {@code expiryMillis}, a wall time in
   * milliseconds since the epoch (take it from {@link org.epost.overlay.api.Clock#wallMillis}), on
   * a majority of its replica set. Each storer caps it at its maximum lease from its own wall clock
   * ({@link PastConfig#maxLeaseMillis}). Mutable objects are renewed by inserting a new signed
   * version. Completes with the number of replicas that extended it.
   */
  CompletionStage<Integer> renew(Id id, long expiryMillis);

  /** Counters of this node (inserts coordinated, corruptions detected, repair traffic, ...). */
  PastStatistics statistics();

  /** Stops timers and ignores further messages; pending operations fail. */
  void stop();
}
