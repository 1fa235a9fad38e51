package org.epost.post.api;

/** Why a notification ended {@link NotificationState#FAILED}. */
public enum NotificationFailure {
  /**
   * Undeliverable: the recipient did not fetch it before it expired from the pending store (the
   * retention, 30 days by default, ADR 0103). Not retryable as such: the recipient has been away
   * longer than the ring keeps notifications.
   */
  EXPIRED,
  /**
   * The recipient's storers refused it: the recipient's pending store, or this sender's share of
   * it, is full. Retryable later, once the recipient drains its store.
   */
  REFUSED,
  /**
   * No majority of the recipient's storers acknowledged it after every attempt (the ring was
   * partitioned or this node could not route). Retryable.
   */
  UNREACHABLE
}
