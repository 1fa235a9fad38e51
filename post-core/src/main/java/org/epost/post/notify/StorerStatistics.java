package org.epost.post.notify;

/**
 * Counters of one node's pending-store (storer) role.
 *
 * @param stored items accepted (as root or replica), repairs included
 * @param refusedTooLarge deposits over {@link NotifyConfig#maxSealedBytes}
 * @param refusedBadItem deposits whose id is not the hash of their bytes or whose expiry is out of
 *     range
 * @param refusedRecipientFull deposits refused because the recipient's items or bytes are at their
 *     bound
 * @param refusedSenderQuota deposits refused because the sender token's share is at its bound
 * @param refusedSourceQuota deposits refused because the depositing node's share is at its bound
 * @param refusedStoreFull deposits refused because the storer holds too many recipients or bytes
 * @param fetchesServed fetches answered
 * @param requestsRejected fetches and acks refused (bad signature, wrong owner, stale, replayed)
 * @param deleted items deleted on their owner's signed acknowledgement
 * @param expired items dropped at the end of their retention
 * @param repaired items pulled from or pushed by another replica during reconciliation
 * @param handedOff inboxes dropped after this node left their replica set and handed them over
 * @param malformed messages that did not decode
 * @param items items held now
 * @param bytes sealed bytes held now
 */
public record StorerStatistics(
    long stored,
    long refusedTooLarge,
    long refusedBadItem,
    long refusedRecipientFull,
    long refusedSenderQuota,
    long refusedSourceQuota,
    long refusedStoreFull,
    long fetchesServed,
    long requestsRejected,
    long deleted,
    long expired,
    long repaired,
    long handedOff,
    long malformed,
    long items,
    long bytes) {
  /** All refusals. */
  public long refused() {
    return refusedTooLarge
        + refusedBadItem
        + refusedRecipientFull
        + refusedSenderQuota
        + refusedSourceQuota
        + refusedStoreFull;
  }
}
