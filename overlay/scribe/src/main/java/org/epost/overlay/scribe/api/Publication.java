package org.epost.overlay.scribe.api;

import java.util.Objects;
import org.epost.overlay.api.NodeHandle;

/**
 * One message published to a topic, as a subscriber receives it.
 *
 * @param topic the topic it was published to
 * @param id the publication's identifier, random and chosen by the publisher; Scribe uses it to
 *     drop duplicates, so a subscriber sees each id at most once (as long as it stays subscribed)
 * @param publisher the node that called {@link Scribe#publish}
 * @param depth tree hops from the topic's root to the receiving node (0 at the root)
 * @param payload the application's bytes (this record does not copy them: do not modify)
 */
public record Publication(TopicId topic, long id, NodeHandle publisher, int depth, byte[] payload) {
  public Publication {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(publisher, "publisher");
    Objects.requireNonNull(payload, "payload");
  }
}
