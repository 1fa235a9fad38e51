package org.epost.mail.status;

/**
 * The node's traffic over the last day, in {@value #BUCKETS} buckets of {@value #BUCKET_MINUTES}
 * minutes: frames received and sent, from the transport's counters sampled by {@link #sample}.
 * Bounded (a fixed ring of buckets); what happened before this process started is not known, and a
 * counter that moves backwards (a restart of the node's transport) restarts the deltas.
 *
 * <p>Thread-safe.
 */
final class TrafficHistory {
  static final int BUCKET_MINUTES = 5;
  static final int BUCKETS = 24 * 60 / BUCKET_MINUTES;
  private static final long BUCKET_MILLIS = BUCKET_MINUTES * 60_000L;

  private final long[] in = new long[BUCKETS];
  private final long[] out = new long[BUCKETS];
  private long lastBucket = -1;
  private long lastIn = -1;
  private long lastOut = -1;

  /** Adds what the counters moved since the last sample to the bucket of {@code nowMillis}. */
  synchronized void sample(long nowMillis, long framesIn, long framesOut) {
    advance(nowMillis / BUCKET_MILLIS);
    int b = (int) (lastBucket % BUCKETS);
    if (lastIn >= 0 && framesIn >= lastIn && framesOut >= lastOut) {
      in[b] += framesIn - lastIn;
      out[b] += framesOut - lastOut;
    }
    lastIn = framesIn;
    lastOut = framesOut;
  }

  private void advance(long bucket) {
    if (lastBucket < 0) {
      lastBucket = bucket;
      return;
    }
    long steps = Math.min(BUCKETS, Math.max(0, bucket - lastBucket));
    for (long s = 1; s <= steps; s++) {
      int b = (int) ((lastBucket + s) % BUCKETS);
      in[b] = 0;
      out[b] = 0;
    }
    lastBucket = Math.max(lastBucket, bucket);
  }

  /** Frames received ([0]) and sent ([1]) per bucket, oldest first, ending at {@code nowMillis}. */
  synchronized long[][] series(long nowMillis) {
    advance(nowMillis / BUCKET_MILLIS);
    long[][] s = new long[2][BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      int b = (int) ((lastBucket + 1 + i) % BUCKETS);
      s[0][i] = in[b];
      s[1][i] = out[b];
    }
    return s;
  }
}
