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
 * that loop, exceptionally with a {@link PastException} subclass; no method throws for a condition
 * of the network or of the node (not joined, stopped, busy): those come through the stage.
 *
 * <p><b>Failures a caller can act on.</b> {@link PastException#retryable()} tells whether the same
 * call may succeed later unchanged. {@link PastException.UnavailableException} (retryable; its
 * {@link PastException.UnavailableException#reason() reason} is NOT_JOINED, STOPPED, OVERLOADED or
 * NO_QUORUM) means PAST could not find out or could not act, and is never a statement that an
 * object is absent. {@link PastException.ObjectNotFoundException} (not retryable as such) is such a
 * statement, made only once a read quorum of the replica set answered: a majority of k, or every
 * member of the replica set the reader knows when it knows fewer. Any such quorum overlaps every
 * majority an insert was acknowledged by, so an object whose insert succeeded is not reported
 * absent while its replica set stands. The quorum is over the live replica set: when every holder
 * is offline at once and the nodes that replaced them were never given a copy, they answer, and the
 * object is reported not found until its holders return (ADR 0093).
 */
@LoopOnly
public interface Past {
  /**
   * Stores {@code object} on its replica set. Completes with the number of replicas that stored it
   * durably once that is a majority of k. Fails with {@link PastException.InvalidObjectException}
   * if the object does not verify (not retryable); {@link PastException.UnavailableException} if
   * this node has not joined, was stopped (also when stopped while the insert is pending) or has
   * too many operations in flight (retryable); {@link PastException.InsertFailedException} if no
   * majority stored it in time (retryable: inserts are idempotent; inserting the same immutable
   * object again, or an older version of a mutable one, changes nothing, and an older version is
   * refused this way every time).
   */
  CompletionStage<Integer> insert(PastObject object);

  /**
   * Reads object {@code id}: from the first replica met on the route (routes converge near the
   * source, so this is a nearby one), then from the other replicas ordered by measured round-trip
   * time. Every copy is verified; a bad copy is counted ({@link
   * PastStatistics#corruptionsDetected}) and skipped.
   *
   * <p>An immutable object completes with the first valid copy (its id is its hash: any valid copy
   * is the object). A mutable object is read from every replica and completes with the highest
   * valid version only once a read quorum of the replica set answered; with fewer answers it fails
   * with {@link PastException.UnavailableException} (NO_QUORUM), even when a copy came back, since
   * a higher version may sit on the replicas that did not answer. A reader of a signed head can
   * therefore take a version for the latest and {@link PastException.ObjectNotFoundException} for
   * "no head in the replica set", and must retry on Unavailable.
   *
   * <p>Fails with {@link PastException.ObjectNotFoundException} when a quorum answered and none
   * holds a valid copy; with {@link PastException.UnavailableException} when this node has not
   * joined (NOT_JOINED), was stopped (STOPPED, also for lookups pending at the stop), has too many
   * operations in flight (OVERLOADED), or too few replicas answered (NO_QUORUM, with how many of
   * the replica set known answered).
   */
  CompletionStage<PastObject> lookup(Id id);

  /**
   * Extends the lease of immutable object {@code id} to {@code expiryMillis}, a wall time in
   * milliseconds since the epoch (take it from {@link org.epost.overlay.api.Clock#wallMillis}), on
   * a majority of its replica set. Each storer caps it at its maximum lease from its own wall clock
   * ({@link PastConfig#maxLeaseMillis}). Mutable objects are renewed by inserting a new signed
   * version. Completes with the number of replicas that extended it. Fails like {@link #insert}:
   * {@link PastException.UnavailableException} when not joined, stopped or overloaded, {@link
   * PastException.InsertFailedException} when no majority extended it in time (both retryable).
   */
  CompletionStage<Integer> renew(Id id, long expiryMillis);

  /** Counters of this node (inserts coordinated, corruptions detected, repair traffic, ...). */
  PastStatistics statistics();

  /**
   * Stops timers and ignores further messages; pending operations fail with {@link
   * PastException.UnavailableException} (STOPPED), and so does every later call.
   */
  void stop();
}
