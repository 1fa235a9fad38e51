package org.epost.post.api;

/**
 * What a user's application hears from the notification service. Threading: called on the node's
 * loop; return promptly and do not call the service re-entrantly (schedule a task instead).
 */
public interface NotificationListener {
  /**
   * A notification for this user arrived (over the recipient's topic or from the pending store).
   * Called once per notification id; the service sends the receipt and deletes the pending copies
   * after this returns.
   */
  void received(ReceivedNotification notification);

  /** A notification this user sent changed state. */
  default void stateChanged(NotificationStatus status) {}
}
