package org.epost.crypto.seal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import org.epost.crypto.api.OpenedEnvelope;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.VerificationException;

/**
 * Rejects sealed messages seen before, in bounded memory.
 *
 * <p>A message is accepted once if its timestamp lies in {@code [now - window, now + skew]}. The
 * detector remembers (sender, nonce) of accepted messages until they leave the window, and at most
 * {@code capacity} of them. When full, it forgets the oldest entry and raises a floor: from then on
 * every message stamped at or before the floor is rejected. So it never accepts a replay, whatever
 * the load; under a flood it may reject a genuine old message, which the sender's retry (with a
 * fresh nonce and timestamp) repairs.
 *
 * <p>Time comes from the caller ({@code now}); the detector never reads a clock. Thread-safe (all
 * methods synchronized).
 */
public final class ReplayDetector {
  private record Key(SigningPublicKey sender, ByteBuffer nonce) {}

  private record Entry(long millis, Key key) {}

  private final long windowMillis;
  private final long skewMillis;
  private final int capacity;
  private final Set<Key> seen = new HashSet<>();
  private final PriorityQueue<Entry> byTime =
      new PriorityQueue<>((a, b) -> Long.compare(a.millis, b.millis));
  private long floor = Long.MIN_VALUE;

  /**
   * @param window how old a message may be
   * @param skew how far in the future a sender's clock may be
   * @param capacity most messages remembered
   */
  public ReplayDetector(Duration window, Duration skew, int capacity) {
    if (window.isNegative() || skew.isNegative() || capacity < 1) {
      throw new IllegalArgumentException("window, skew >= 0 and capacity >= 1 required");
    }
    this.windowMillis = window.toMillis();
    this.skewMillis = skew.toMillis();
    this.capacity = capacity;
  }

  /**
   * Accepts {@code message} at time {@code now} or throws.
   *
   * @throws VerificationException if it is a replay, too old, from the future, or older than what
   *     the bounded memory can still vouch for
   */
  public synchronized void check(OpenedEnvelope message, Instant now) throws VerificationException {
    long t = message.timestamp().toEpochMilli();
    long n = now.toEpochMilli();
    if (t < n - windowMillis) {
      throw new VerificationException("sealed message is older than the replay window");
    }
    if (t > n + skewMillis) {
      throw new VerificationException("sealed message is stamped in the future");
    }
    while (!byTime.isEmpty() && byTime.peek().millis < n - windowMillis) {
      seen.remove(byTime.poll().key);
    }
    if (t <= floor) {
      throw new VerificationException(
          "sealed message is older than the replay memory can vouch for; ask for a resend");
    }
    Key key = new Key(message.sender(), ByteBuffer.wrap(message.nonce().clone()));
    if (seen.contains(key)) {
      throw new VerificationException("sealed message was already received (replay)");
    }
    if (seen.size() >= capacity) {
      Entry oldest = byTime.peek();
      if (t <= oldest.millis) {
        throw new VerificationException(
            "sealed message is older than the replay memory can vouch for; ask for a resend");
      }
      byTime.poll();
      seen.remove(oldest.key);
      floor = Math.max(floor, oldest.millis);
    }
    seen.add(key);
    byTime.add(new Entry(t, key));
  }

  /** Number of messages currently remembered (at most the capacity). */
  public synchronized int size() {
    return seen.size();
  }
}
