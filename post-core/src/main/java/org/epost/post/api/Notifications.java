package org.epost.post.api;

import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.UserCertificate;

/**
 * One user's notification service on one node (ADR 0103): sends sealed notifications to other users
 * over their Scribe topic and, in the same step, into their replicated pending store; receives this
 * user's own notifications (live over its topic, and from its pending store as soon as the node is
 * ready); sends signed receipts back; tracks what this user sent through the states {@link
 * NotificationState}.
 *
 * <p>Threading: call every method on the node's loop (from another thread through {@link
 * org.epost.overlay.api.LoopBridge}); stages complete and listeners are called on the loop.
 *
 * <p>Failures: stages fail with a {@link NotifyException}; {@link PostException#retryable()} says
 * whether the same call may succeed later.
 */
public interface Notifications {
  /**
   * Announces a stored message to {@code recipient}: seals the notification to the recipient's
   * encryption key (signed inside by this user, with this user's address and certificate serial, a
   * timestamp and a random id), publishes it on the recipient's topic and deposits it in the
   * recipient's pending store. The status is {@link NotificationState#STORED} at once.
   *
   * @param recipient the recipient's certificate (from the directory): its address and keys
   * @param messageReference the message store's reference, opaque here; at most {@code
   *     NotifyConfig.maxReferenceBytes}
   * @param partSummary the message's part summary, opaque here; at most {@code
   *     NotifyConfig.maxSummaryBytes}
   * @return completes with the notification's id once a majority of the recipient's storers hold it
   *     ({@link NotificationState#NOTIFIED}): from then on the sender's node may go away. Fails
   *     with {@link NotifyException.Unavailable} (retryable) when this node has not joined or no
   *     majority answered after every attempt, {@link NotifyException.Refused} (retryable later)
   *     when the storers refused it for quota, {@link NotifyException.LimitExceeded} (not
   *     retryable) for an input over a bound.
   */
  CompletionStage<NotificationId> send(
      UserCertificate recipient, byte[] messageReference, byte[] partSummary);

  /** The status of a notification this user sent, if this node still tracks it. */
  Optional<NotificationStatus> status(NotificationId id);

  /**
   * Fetches this user's pending notifications now. The service does this by itself as soon as the
   * node is ready and whenever its topic subscription (re)attaches; this is for callers that know
   * better (e.g. a user who just unlocked their key). Completes when the storers answered (or after
   * the fetch timeout) with how many new notifications were delivered.
   */
  CompletionStage<Integer> fetchNow();

  /** Counters of this user's side (sender and recipient) of the service. */
  NotifyStatistics statistics();

  /** Stops the service for this user: unsubscribes its topic; pending sends fail as Unavailable. */
  void stop();
}
