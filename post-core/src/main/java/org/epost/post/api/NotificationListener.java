package org.epost.post.api;

import java.util.concurrent.CompletionStage;

/**
 * What a user's application hears from the notification service.
 *
 * <p><b>Durable acknowledgement</b> (ADR 0106). A notification is acknowledged (the signed receipt
 * goes to the sender, which deletes the pending copies at the recipient's storers) only after the
 * application has made it its own: {@link #received} returns a stage that the application completes
 * once it holds the message durably, typically when the append that files the message reference in
 * the user's INBOX log has completed. Until then the pending copies stay where they are, so an
 * application (or node) that crashes between hearing of a message and filing it hears of it again
 * at the next fetch. Concretely:
 *
 * <ul>
 *   <li>the stage completes normally: the service marks the notification id seen (later copies are
 *       duplicates and are not delivered again), seals and deposits the receipt, and, once a
 *       majority of the sender's storers holds the receipt, has the pending copies deleted;
 *   <li>the stage fails (or {@code received} throws or returns null): nothing is acknowledged, the
 *       item stays in the pending store and is offered again at the next fetch (the safety fetch
 *       every {@code safetyFetchMillis}, a topic re-attach, {@link Notifications#fetchNow}, or the
 *       next start of the service);
 *   <li>while the stage is pending, further copies of the same notification (from other storers, a
 *       fetch, the topic) are suppressed: the application hears of one notification once at a time.
 *       A stage that never completes holds the notification until the service is restarted.
 * </ul>
 *
 * A notification may therefore be delivered more than once across failures and restarts (at least
 * once, never lost once the sender saw it NOTIFIED): the application files by message reference
 * idempotently.
 *
 * <p>Threading: called on the node's loop; return promptly and do not call the service re-entrantly
 * (schedule a task instead). The stage may complete on any thread; the service continues on the
 * node's loop.
 */
public interface NotificationListener {
  /**
   * A notification for this user arrived (over the recipient's topic or from the pending store).
   * Called once per notification id while earlier hand-overs of it are pending or succeeded.
   *
   * @return a stage that completes when the application holds the message durably, or fails if it
   *     could not (the notification is then offered again at the next fetch)
   */
  CompletionStage<Void> received(ReceivedNotification notification);

  /** A notification this user sent changed state. */
  default void stateChanged(NotificationStatus status) {}
}
