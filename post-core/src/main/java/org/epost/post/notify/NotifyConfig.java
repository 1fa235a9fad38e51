package org.epost.post.notify;

/**
 * Tuning and bounds of the notification service and its pending store (ADR 0103). {@link
 * #defaults()} is what the benchmarks use; every bound is per storer node unless it says otherwise.
 *
 * @param applicationId the overlay application id of the pending store (every node of a ring uses
 *     the same)
 * @param replicas k: the pending store of a recipient is the k live nodes closest to its inbox key
 * @param retentionMillis how long a deposited notification waits for its recipient; then storers
 *     drop it and the sender sees FAILED(EXPIRED)
 * @param clockSkewMillis how far a sender's or recipient's wall clock may be off (deposit expiry,
 *     fetch freshness, the replay window)
 * @param maxSealedBytes largest sealed item a storer accepts
 * @param maxReferenceBytes largest message reference a sender may seal
 * @param maxSummaryBytes largest part summary a sender may seal
 * @param recipientMaxItems items one storer keeps for one recipient
 * @param recipientMaxBytes bytes one storer keeps for one recipient
 * @param tokenMaxItems items one storer keeps for one (recipient, sender token)
 * @param tokenMaxBytes bytes one storer keeps for one (recipient, sender token)
 * @param sourceMaxItems items the root keeps for one (recipient, depositing node)
 * @param storeMaxRecipients recipients one storer keeps items for
 * @param storeMaxBytes bytes one storer keeps over all recipients
 * @param tombstonesPerRecipient acknowledged item ids one storer remembers per recipient (a
 *     forgotten one can only cause a duplicate, which the recipient drops)
 * @param depositTimeoutMillis wait for a majority of acknowledgements before a deposit is routed
 *     again
 * @param depositAttempts attempts before a deposit fails as Unavailable
 * @param fetchTimeoutMillis how long a fetch collects answers
 * @param maxInFlight deposits (notifications and receipts) one node may have waiting for a majority
 * @param outboxCapacity sent notifications whose status one user's node tracks
 * @param replayCapacity (sender, nonce) pairs and notification ids a recipient remembers
 * @param maintenanceMillis period of a storer's expiry sweep and reconciliation with its replicas
 * @param reconcileDelayMillis delay from a leaf-set change to the reconciliation it triggers
 * @param safetyFetchMillis period of a recipient's safety fetch while online (in case its topic
 *     missed a publication); delivery never waits for it
 */
public record NotifyConfig(
    int applicationId,
    int replicas,
    long retentionMillis,
    long clockSkewMillis,
    int maxSealedBytes,
    int maxReferenceBytes,
    int maxSummaryBytes,
    int recipientMaxItems,
    long recipientMaxBytes,
    int tokenMaxItems,
    long tokenMaxBytes,
    int sourceMaxItems,
    int storeMaxRecipients,
    long storeMaxBytes,
    int tombstonesPerRecipient,
    long depositTimeoutMillis,
    int depositAttempts,
    long fetchTimeoutMillis,
    int maxInFlight,
    int outboxCapacity,
    int replayCapacity,
    long maintenanceMillis,
    long reconcileDelayMillis,
    long safetyFetchMillis) {

  /** Application id of the pending store ("PN"). */
  public static final int APPLICATION_ID = 0x504E;

  /** Largest sealed item the wire format carries. */
  public static final int SEALED_LIMIT = 24 * 1024;

  public NotifyConfig {
    if (applicationId < 16 || applicationId > 0xFFFF) {
      throw new IllegalArgumentException("application id must be in 16..65535");
    }
    if (replicas < 1 || replicas > 12) {
      throw new IllegalArgumentException("replicas must be in 1..12 (half a leaf set)");
    }
    if (maxSealedBytes < 512 || maxSealedBytes > SEALED_LIMIT) {
      throw new IllegalArgumentException("sealed items must be bounded by 512.." + SEALED_LIMIT);
    }
    if (maxReferenceBytes + maxSummaryBytes + 512 > maxSealedBytes) {
      throw new IllegalArgumentException("reference and summary must fit a sealed item");
    }
    if (retentionMillis <= 0
        || clockSkewMillis < 0
        || depositTimeoutMillis <= 0
        || fetchTimeoutMillis <= 0
        || maintenanceMillis <= 0
        || reconcileDelayMillis < 0
        || safetyFetchMillis <= 0) {
      throw new IllegalArgumentException("periods must be positive");
    }
    if (recipientMaxItems < 1
        || tokenMaxItems < 1
        || tokenMaxItems > recipientMaxItems
        || sourceMaxItems < 1
        || recipientMaxBytes < maxSealedBytes
        || tokenMaxBytes < maxSealedBytes
        || storeMaxRecipients < 1
        || storeMaxBytes < recipientMaxBytes
        || tombstonesPerRecipient < 1
        || depositAttempts < 1
        || maxInFlight < 1
        || outboxCapacity < 1
        || replayCapacity < 1) {
      throw new IllegalArgumentException("bounds out of range");
    }
  }

  /**
   * k = 5; retention 30 days, skew 5 min; sealed items up to 16 KiB (reference 2 KiB, summary 8
   * KiB); per recipient 512 items and 2 MiB, per sender token 32 items and 256 KiB, per depositing
   * node 64 items; 20,000 recipients and 256 MiB per storer; 1,024 tombstones per recipient;
   * deposit timeout 4 s, 6 attempts; fetch 3 s; 1,024 deposits in flight; outbox 10,000; replay
   * memory 65,536; maintenance 60 s, reconciliation 1 s after a leaf-set change; safety fetch every
   * 5 min.
   */
  public static NotifyConfig defaults() {
    return new NotifyConfig(
        APPLICATION_ID,
        5,
        30L * 24 * 3600 * 1000,
        5 * 60_000,
        16 * 1024,
        2 * 1024,
        8 * 1024,
        512,
        2L << 20,
        32,
        256L << 10,
        64,
        20_000,
        256L << 20,
        1024,
        4_000,
        6,
        3_000,
        1024,
        10_000,
        65_536,
        60_000,
        1_000,
        300_000);
  }

  /** A copy with another retention (tests of expiry). */
  public NotifyConfig withRetention(long millis) {
    return new NotifyConfig(
        applicationId,
        replicas,
        millis,
        clockSkewMillis,
        maxSealedBytes,
        maxReferenceBytes,
        maxSummaryBytes,
        recipientMaxItems,
        recipientMaxBytes,
        tokenMaxItems,
        tokenMaxBytes,
        sourceMaxItems,
        storeMaxRecipients,
        storeMaxBytes,
        tombstonesPerRecipient,
        depositTimeoutMillis,
        depositAttempts,
        fetchTimeoutMillis,
        maxInFlight,
        outboxCapacity,
        replayCapacity,
        maintenanceMillis,
        reconcileDelayMillis,
        safetyFetchMillis);
  }

  /** A copy with other per-recipient, per-token and per-node quotas. */
  public NotifyConfig withQuotas(
      int recipientItems, long recipientBytes, int tokenItems, long tokenBytes, int sourceItems) {
    return new NotifyConfig(
        applicationId,
        replicas,
        retentionMillis,
        clockSkewMillis,
        maxSealedBytes,
        maxReferenceBytes,
        maxSummaryBytes,
        recipientItems,
        recipientBytes,
        tokenItems,
        tokenBytes,
        sourceItems,
        storeMaxRecipients,
        storeMaxBytes,
        tombstonesPerRecipient,
        depositTimeoutMillis,
        depositAttempts,
        fetchTimeoutMillis,
        maxInFlight,
        outboxCapacity,
        replayCapacity,
        maintenanceMillis,
        reconcileDelayMillis,
        safetyFetchMillis);
  }

  /** These settings with other bounds on what one storer keeps over all recipients. */
  public NotifyConfig withStoreBounds(int recipients, long bytes) {
    return new NotifyConfig(
        applicationId,
        replicas,
        retentionMillis,
        clockSkewMillis,
        maxSealedBytes,
        maxReferenceBytes,
        maxSummaryBytes,
        recipientMaxItems,
        recipientMaxBytes,
        tokenMaxItems,
        tokenMaxBytes,
        sourceMaxItems,
        recipients,
        bytes,
        tombstonesPerRecipient,
        depositTimeoutMillis,
        depositAttempts,
        fetchTimeoutMillis,
        maxInFlight,
        outboxCapacity,
        replayCapacity,
        maintenanceMillis,
        reconcileDelayMillis,
        safetyFetchMillis);
  }

  /** A copy with another maintenance period (expiry sweep and reconciliation). */
  public NotifyConfig withMaintenance(long millis) {
    return new NotifyConfig(
        applicationId,
        replicas,
        retentionMillis,
        clockSkewMillis,
        maxSealedBytes,
        maxReferenceBytes,
        maxSummaryBytes,
        recipientMaxItems,
        recipientMaxBytes,
        tokenMaxItems,
        tokenMaxBytes,
        sourceMaxItems,
        storeMaxRecipients,
        storeMaxBytes,
        tombstonesPerRecipient,
        depositTimeoutMillis,
        depositAttempts,
        fetchTimeoutMillis,
        maxInFlight,
        outboxCapacity,
        replayCapacity,
        millis,
        reconcileDelayMillis,
        safetyFetchMillis);
  }

  /** Acknowledgements a deposit needs when the storer reports a replica set of {@code size}. */
  int majority(int size) {
    int n = Math.max(1, Math.min(replicas, size));
    return n / 2 + 1;
  }
}
