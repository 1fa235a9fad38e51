package org.epost.post.api;

/**
 * Where a sent notification is, as its sender observes it. States only move forward: {@code STORED
 * -> NOTIFIED -> DELIVERED}, or to {@code FAILED} from {@code STORED} or {@code NOTIFIED}.
 */
public enum NotificationState {
  /**
   * The message it announces is stored and the notification service took it: it is sealed, pushed
   * on the recipient's topic and being deposited in the recipient's pending store.
   */
  STORED,
  /**
   * A majority of the recipient's pending store holds it: from now on it survives the sender's node
   * going away, and reaches the recipient when they are online or come back.
   */
  NOTIFIED,
  /** The recipient's signed receipt arrived: the recipient has it. Final. */
  DELIVERED,
  /** It cannot be delivered; {@link NotificationStatus#failure()} says why. Final. */
  FAILED
}
