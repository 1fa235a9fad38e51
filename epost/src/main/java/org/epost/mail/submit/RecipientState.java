package org.epost.mail.submit;

import java.util.Objects;

/**
 * One recipient's delivery state of one sent message.
 *
 * @param recipient the recipient's address as the sender gave it
 * @param state where it is
 * @param reason why it failed (or the last retryable problem while it waits), "" when none
 * @param changedAtMillis wall time (epoch ms) of the last change
 */
public record RecipientState(
    String recipient, DeliveryState state, String reason, long changedAtMillis) {
  public RecipientState {
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
  }
}
