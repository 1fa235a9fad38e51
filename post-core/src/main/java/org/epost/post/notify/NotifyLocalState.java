package org.epost.post.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.epost.crypto.api.OpenedEnvelope;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.seal.ReplayDetector;
import org.epost.post.api.NotificationFailure;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.epost.post.api.NotificationStatus;

/**
 * What one user's notification service keeps across a restart of its node: the replay detector, the
 * ids of notifications already delivered, and the outbox (the status of what the user sent). All
 * three are bounded ({@link NotifyConfig#replayCapacity}, {@link NotifyConfig#outboxCapacity}).
 *
 * <p>This implementation keeps them in memory: a caller that keeps the object across a restart of
 * the service (as the simulation does for a user whose node returns) keeps them; a process restart
 * loses them, which costs duplicates the application must drop by message reference, and the
 * sender's view of older notifications. A file-backed state is not built yet (ADR 0103).
 *
 * <p>Threading: used on the node's loop only.
 */
public final class NotifyLocalState {
  final ReplayDetector replay;
  private final int capacity;
  private final int outboxCapacity;
  private final LinkedHashMap<NotificationId, Boolean> seen = new LinkedHashMap<>();
  private final LinkedHashMap<NotificationId, Boolean> accepted = new LinkedHashMap<>();
  private final LinkedHashMap<NotificationId, Outgoing> outbox = new LinkedHashMap<>();

  /** An empty state sized by {@code config}. */
  public NotifyLocalState(NotifyConfig config) {
    this.capacity = config.replayCapacity();
    this.outboxCapacity = config.outboxCapacity();
    this.replay =
        new ReplayDetector(
            Duration.ofMillis(config.retentionMillis() + config.clockSkewMillis()),
            Duration.ofMillis(config.clockSkewMillis()),
            config.replayCapacity());
  }

  /** One sent notification. */
  static final class Outgoing {
    final NotificationId id;
    final String recipient;
    final SigningPublicKey recipientKey;
    final long expiresAt;
    NotificationState state = NotificationState.STORED;
    NotificationFailure failure;
    int storedReplicas;
    long changedAt;

    Outgoing(
        NotificationId id,
        String recipient,
        SigningPublicKey recipientKey,
        long expiresAt,
        long now) {
      this.id = id;
      this.recipient = recipient;
      this.recipientKey = recipientKey;
      this.expiresAt = expiresAt;
      this.changedAt = now;
    }

    boolean isFinal() {
      return state == NotificationState.DELIVERED || state == NotificationState.FAILED;
    }

    NotificationStatus status() {
      return new NotificationStatus(
          id, recipient, state, failure, storedReplicas, changedAt, expiresAt);
    }
  }

  boolean seen(NotificationId id) {
    return seen.containsKey(id);
  }

  /**
   * True if {@code id} passed the replay check but the application has not yet held it durably (a
   * failed or interrupted hand-over): it is handed over again without a second replay check.
   */
  boolean accepted(NotificationId id) {
    return accepted.containsKey(id);
  }

  /**
   * Records that {@code id} passed the replay check (as {@code opened}) and is being handed over.
   */
  void markAccepted(NotificationId id, OpenedEnvelope opened) {
    accepted.put(id, Boolean.TRUE);
    if (accepted.size() > capacity) {
      Iterator<NotificationId> i = accepted.keySet().iterator();
      i.next();
      i.remove();
    }
  }

  void markSeen(NotificationId id) {
    accepted.remove(id);
    seen.put(id, Boolean.TRUE);
    if (seen.size() > capacity) {
      Iterator<NotificationId> i = seen.keySet().iterator();
      i.next();
      i.remove();
    }
  }

  Outgoing outgoing(NotificationId id) {
    return outbox.get(id);
  }

  /**
   * Adds an entry, evicting the oldest final ones first; false if the outbox is full of live ones.
   */
  boolean add(Outgoing o) {
    if (outbox.size() >= outboxCapacity) {
      Iterator<Map.Entry<NotificationId, Outgoing>> i = outbox.entrySet().iterator();
      while (i.hasNext() && outbox.size() >= outboxCapacity) {
        if (i.next().getValue().isFinal()) {
          i.remove();
        }
      }
      if (outbox.size() >= outboxCapacity) {
        return false;
      }
    }
    outbox.put(o.id, o);
    return true;
  }

  List<Outgoing> live() {
    List<Outgoing> out = new ArrayList<>();
    for (Outgoing o : outbox.values()) {
      if (!o.isFinal()) {
        out.add(o);
      }
    }
    return out;
  }
}
