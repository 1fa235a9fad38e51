package org.epost.post.api;

/**
 * Counters of one user's notification service (sender and recipient sides).
 *
 * @param sent notifications handed to {@link Notifications#send}
 * @param notified notifications that reached a majority of the recipient's storers
 * @param deliveredReceipts notifications whose recipient's signed receipt arrived
 * @param failed notifications that ended FAILED
 * @param received notifications the listener held durably (its stage completed; once per id)
 * @param duplicates notifications seen again (over the topic and from the store, or re-fetched)
 * @param rejectedSeal items that do not open with this user's key or whose content hash does not
 *     match (altered or forged by a storer)
 * @param rejectedSender items that open but whose sender is not certified for the address they name
 *     (forged sender, revoked or unknown)
 * @param rejectedReplay items refused by the replay detector (a replay, too old, or from the
 *     future)
 * @param fetches fetches this user's node sent to its pending store
 * @param handOversFailed hand-overs whose listener stage failed: not acknowledged, offered again at
 *     the next fetch (ADR 0106)
 */
public record NotifyStatistics(
    long sent,
    long notified,
    long deliveredReceipts,
    long failed,
    long received,
    long duplicates,
    long rejectedSeal,
    long rejectedSender,
    long rejectedReplay,
    long fetches,
    long handOversFailed) {}
