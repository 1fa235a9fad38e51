package org.epost.post.api;

/**
 * The directory's verdict on a claimed sender: does {@code address} own the signing key a
 * notification was signed with, now?
 *
 * @param outcome valid, forged or revoked
 * @param address the claimed address as given
 * @param record the verified record when the outcome is {@link Outcome#VALID}, else null
 * @param reason a sentence for logs and the user
 */
public record SenderVerdict(Outcome outcome, String address, UserRecord record, String reason) {
  /** What the notification service does with the message. */
  public enum Outcome {
    /** The address's current certificate names this signing key: accept. */
    VALID,
    /**
     * Reject: the address's certificate names another key, the entry served is forged, or the
     * address is malformed. (An address a quorum did not find is no verdict: see {@link
     * org.epost.post.api.Directory#verifySender}.)
     */
    FORGED,
    /** Reject: the key was the address's, but its certificate is revoked or no longer valid. */
    REVOKED
  }

  /** True for {@link Outcome#VALID}. */
  public boolean valid() {
    return outcome == Outcome.VALID;
  }
}
