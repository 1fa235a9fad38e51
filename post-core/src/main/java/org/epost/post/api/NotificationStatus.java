package org.epost.post.api;

import java.util.Objects;

/**
 * A sent notification's state as its sender sees it.
 *
 * @param id the notification's id
 * @param recipient the recipient's address
 * @param state the current state
 * @param failure why it failed, or null unless {@code state == FAILED}
 * @param storedReplicas how many of the recipient's storers acknowledged the deposit
 * @param changedAtMillis wall time (epoch ms) of the last change of state
 * @param expiresAtMillis wall time (epoch ms) at which the pending store drops it
 */
public record NotificationStatus(
    NotificationId id,
    String recipient,
    NotificationState state,
    NotificationFailure failure,
    int storedReplicas,
    long changedAtMillis,
    long expiresAtMillis) {
  public NotificationStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(state, "state");
    if ((state == NotificationState.FAILED) != (failure != null)) {
      throw new IllegalArgumentException("a failure reason goes with FAILED and only with it");
    }
  }
}
