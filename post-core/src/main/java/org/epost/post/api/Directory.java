package org.epost.post.api;

import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.RevocationList;
import org.epost.crypto.api.SigningPublicKey;

/**
 * The user directory of one node (ADR 0104): address to the user's certificate issued by the ring's
 * authority, stored in PAST as a mutable object owned by the authority's key, verified on every
 * read, cached with revocation honoured.
 *
 * <p>Threading: every method on the node's loop (from another thread, through {@link
 * org.epost.overlay.api.LoopBridge}); stages complete on the loop. Failures are {@link
 * DirectoryException} subclasses: {@link DirectoryException.NoSuchUser} only after a read quorum of
 * the entry's replica set answered and none holds an entry; {@link DirectoryException.Unavailable}
 * (retryable) whenever the ring could not say.
 */
public interface Directory {
  /**
   * The verified record of {@code address}: from the cache when a verified entry younger than the
   * cache's time to live is held (re-checked against the wall time and the newest revocation list
   * on every hit), otherwise from a read quorum of the entry's replica set (PAST completes a
   * mutable lookup only then, with the highest valid version), checked against the node's
   * high-water mark for the address.
   *
   * <p>Fails with {@link DirectoryException.InvalidAddress}, {@link DirectoryException.NoSuchUser},
   * {@link DirectoryException.Unavailable} (retryable), {@link DirectoryException.Revoked}, {@link
   * DirectoryException.Expired}, {@link DirectoryException.Forged} (counted) or {@link
   * DirectoryException.RolledBack} (retryable, counted).
   */
  CompletionStage<UserRecord> lookup(String address);

  /**
   * Does {@code address} own {@code claimedSigningKey} now? Completes with a verdict: valid, forged
   * (the certificate names another key, the entry is forged or the address malformed) or revoked
   * (revoked or no longer valid); rejections are counted. An address whose entry a read quorum did
   * not find is no verdict but {@link DirectoryException.Unavailable}: after churn the current
   * replica set says "not found" of an enrolled user whose entry's holders are all away. A cached
   * record naming another key is confirmed from the ring first (the user may have been re-issued a
   * key), at most once per address per {@code DirectoryConfig.refreshMillis}. Fails only with
   * {@link DirectoryException.Unavailable} or {@link DirectoryException.RolledBack} (both
   * retryable): the notification service keeps the notification and asks again later, rather than
   * rejecting a sender it could not check.
   */
  CompletionStage<SenderVerdict> verifySender(String address, SigningPublicKey claimedSigningKey);

  /**
   * Inserts a directory entry the authority signed (at enrolment, re-issue or revocation) on a
   * majority of its replica set; also accepts it locally (mark, cache, revoked serial). Completes
   * with the number of replicas that stored it. Fails with {@link DirectoryException.Forged} if it
   * is not the authority's, {@link DirectoryException.RolledBack} if this node holds a newer entry,
   * {@link DirectoryException.Unavailable} (retryable; inserts are idempotent).
   */
  CompletionStage<Integer> publish(DirectoryEntry entry);

  /**
   * Installs a newer revocation list signed by the ring's authority and at once evicts every cached
   * entry it revokes. Returns false for a list not newer than the one held.
   *
   * @throws IllegalArgumentException if the list is not signed by the ring's authority
   */
  boolean updateRevocations(RevocationList list);

  /** Counters; see {@link DirectoryStatus}. */
  DirectoryStatus status();
}
