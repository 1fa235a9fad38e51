package org.epost.overlay.scribe.api;

import java.util.Optional;
import org.epost.overlay.api.NodeHandle;

/**
 * The outcome of {@link Scribe#anycast}.
 *
 * @param acceptor the subscriber that accepted the message, empty if none did
 * @param outcome why the search ended
 */
public record AnycastResult(Optional<NodeHandle> acceptor, Outcome outcome) {
  /** Why an anycast search ended. */
  public enum Outcome {
    /** A subscriber accepted the message. */
    ACCEPTED,
    /** The whole reachable tree was searched (or the topic has no tree) and nobody accepted. */
    NO_TAKER,
    /**
     * No answer within the anycast timeout (a node on the search path failed, or the tree is too
     * big).
     */
    TIMED_OUT,
    /** This node has too many anycasts outstanding; nothing was sent. */
    TOO_MANY_PENDING
  }

  public boolean accepted() {
    return outcome == Outcome.ACCEPTED;
  }
}
