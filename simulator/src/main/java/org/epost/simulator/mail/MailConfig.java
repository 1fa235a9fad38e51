package org.epost.simulator.mail;

import java.time.Duration;
import java.util.List;

/**
 * Parameters of a mail experiment (see {@link MailCommand} for their meaning and defaults, ADR 0105
 * for the workload model).
 *
 * @param users users, one per node; departures are replaced by new enrolled users
 * @param duration simulated time of mail and churn (after the ring is built and users enrolled)
 * @param messagesPerUserPerDay mean messages each user sends per simulated day (Poisson, ring-wide)
 * @param sizeMix weights of the four message classes: short text, ordinary, small attachment, large
 *     attachment
 * @param smallAttachmentBytes attachment size of the third class
 * @param largeAttachmentBytes attachment size of the fourth class
 * @param maxRecipients recipients per message are uniform in 1..maxRecipients
 * @param offlineRecipientShare probability that a recipient is drawn among the users offline at the
 *     time of sending (when any is), rather than among the online ones
 * @param replicas k of PAST and of the pending store
 * @param byzantine fraction of nodes whose PAST store lies (drops, corrupts, serves stale versions,
 *     only claims)
 * @param drain simulated time after the churn ends, with every remaining user back online, before
 *     losses are counted
 * @param verifyUsers users whose inbox is read back with an empty cache at the end, and whose filed
 *     messages are opened and compared with what was sent
 */
public record MailConfig(
    int users,
    Duration duration,
    double messagesPerUserPerDay,
    List<Integer> sizeMix,
    int smallAttachmentBytes,
    int largeAttachmentBytes,
    int maxRecipients,
    double offlineRecipientShare,
    Duration sessionMean,
    Duration offlineMean,
    double departuresPerDay,
    double correlatedFraction,
    Duration correlatedAt,
    double byzantine,
    int replicas,
    long seed,
    Duration drain,
    int verifyUsers) {

  public MailConfig {
    sizeMix = List.copyOf(sizeMix);
    if (users < 10 || users > 100_000) {
      throw new IllegalArgumentException("--users must be in 10..100000, got " + users);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive");
    }
    if (!(messagesPerUserPerDay >= 0 && messagesPerUserPerDay <= 10_000)) {
      throw new IllegalArgumentException("--messages-per-user-per-day must be in 0..10000");
    }
    if (sizeMix.size() != 4
        || sizeMix.stream().anyMatch(w -> w < 0)
        || sizeMix.stream().mapToInt(Integer::intValue).sum() == 0) {
      throw new IllegalArgumentException(
          "--size-mix is four non-negative weights TEXT:ORDINARY:SMALL:LARGE, not all zero");
    }
    if (smallAttachmentBytes < 1 || largeAttachmentBytes < 1 || largeAttachmentBytes > 60 << 20) {
      throw new IllegalArgumentException(
          "attachment sizes must be positive, the large one at most 60 MiB");
    }
    if (maxRecipients < 1 || maxRecipients > 50 || maxRecipients >= users) {
      throw new IllegalArgumentException("--max-recipients must be in 1..min(50, users-1)");
    }
    if (!(offlineRecipientShare >= 0 && offlineRecipientShare <= 1)) {
      throw new IllegalArgumentException("--offline-recipient-share must be in [0,1]");
    }
    if (!(departuresPerDay >= 0 && departuresPerDay <= 1)
        || !(byzantine >= 0 && byzantine < 0.5)
        || !(correlatedFraction >= 0 && correlatedFraction < 1)) {
      throw new IllegalArgumentException(
          "--departures-per-day in [0,1], --byzantine in [0,0.5), correlated fraction in [0,1)");
    }
    if (replicas < 1 || replicas > 12) {
      throw new IllegalArgumentException("--replicas must be in 1..12, got " + replicas);
    }
    if (verifyUsers < 0 || drain.isNegative()) {
      throw new IllegalArgumentException("--verify-users and --drain must not be negative");
    }
  }
}
