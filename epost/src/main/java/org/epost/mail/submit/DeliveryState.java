package org.epost.mail.submit;

/**
 * Where one recipient of a sent message is, as its sender's node sees it. States move forward only:
 * {@code QUEUED -> STORED -> NOTIFIED -> DELIVERED}, or to {@code FAILED} from any state before
 * {@code DELIVERED}.
 */
public enum DeliveryState {
  /** Accepted and fsynced in the sender's local outbox; the ring has not taken it yet. */
  QUEUED,
  /** The message is durable on the ring (every block on a majority of its replicas). */
  STORED,
  /** The recipient's notification is on a majority of the recipient's pending store. */
  NOTIFIED,
  /** The recipient's node filed it and sent its signed receipt. Final. */
  DELIVERED,
  /**
   * Given up; the reason says why, and a delivery status notification went to the sender. Final.
   */
  FAILED;

  /** True for the final states. */
  public boolean isFinal() {
    return this == DELIVERED || this == FAILED;
  }
}
