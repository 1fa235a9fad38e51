package org.epost.post.log;

/**
 * Tuning of the log service; {@link #defaults()} are the figures ADR 0102 argues for.
 *
 * @param tailBytes bound of the head's inline tail of operations (plaintext, with length prefixes);
 *     appends coalesce there and are flushed into entry blocks beyond it
 * @param blockBytes bound of one entry block's operations (plaintext), under PAST's 56 KiB
 * @param snapshotEvery a snapshot is stored once this many operations follow the last one
 * @param maxBlocksSinceSnapshot a snapshot is stored instead of an entry block that would make more
 *     entry blocks than this follow the last snapshot (bounds what a reader fetches)
 * @param maxOperationBytes largest operation accepted
 * @param maxPendingOperations operations waiting for the writer's next head write, at most
 * @param maxPendingBytes bytes of operations waiting, at most
 * @param maxSnapshotBytes largest snapshot state accepted from the application
 * @param fetchWindow PAST lookups or inserts of blocks in flight at once per read or write
 * @param attempts tries of one PAST call that failed retryably (unavailable, insert failed)
 * @param retryDelayMillis monotonic delay between those tries
 * @param takeoverQuietMillis how long another session of this device must have been silent (wall
 *     time since its newest head) before this session takes the log over without a clean release
 * @param leaseMillis lease of heads and blocks from the writer's wall clock (renewal: ADR 0101)
 */
public record LogConfig(
    int tailBytes,
    int blockBytes,
    int snapshotEvery,
    int maxBlocksSinceSnapshot,
    int maxOperationBytes,
    int maxPendingOperations,
    long maxPendingBytes,
    int maxSnapshotBytes,
    int fetchWindow,
    int attempts,
    long retryDelayMillis,
    long takeoverQuietMillis,
    long leaseMillis) {
  /** Largest plaintext of one block (ADR 0100: 48 KiB keeps every block under 56 KiB). */
  public static final int MAX_BLOCK_BYTES = 48 * 1024;

  /** Largest number of entry blocks a head lists (44 bytes each). */
  public static final int MAX_LISTED_BLOCKS = 256;

  public LogConfig {
    if (tailBytes < 64 || tailBytes > 24 * 1024) {
      throw new IllegalArgumentException("tailBytes 64..24576: " + tailBytes);
    }
    if (blockBytes < tailBytes || blockBytes > MAX_BLOCK_BYTES) {
      throw new IllegalArgumentException("blockBytes tailBytes..49152: " + blockBytes);
    }
    if (maxOperationBytes < 1 || maxOperationBytes + 8 > tailBytes) {
      throw new IllegalArgumentException("an operation must fit the tail: " + maxOperationBytes);
    }
    if (snapshotEvery < 1
        || maxBlocksSinceSnapshot < 1
        || maxBlocksSinceSnapshot > MAX_LISTED_BLOCKS
        || maxPendingOperations < 1
        || maxPendingBytes < maxOperationBytes
        || maxSnapshotBytes < 1
        || maxSnapshotBytes > 1536L * MAX_BLOCK_BYTES
        || fetchWindow < 1
        || attempts < 1
        || retryDelayMillis < 0
        || takeoverQuietMillis < 0
        || leaseMillis <= 0) {
      throw new IllegalArgumentException("log configuration out of range");
    }
  }

  public static LogConfig defaults() {
    return new LogConfig(
        16 * 1024,
        MAX_BLOCK_BYTES,
        1000,
        16,
        8 * 1024,
        10_000,
        4L << 20,
        32 << 20,
        16,
        4,
        1000,
        10 * 60_000L,
        400L * 24 * 3_600_000);
  }

  public LogConfig withSnapshots(int every, int maxBlocks) {
    return new LogConfig(
        tailBytes,
        blockBytes,
        every,
        maxBlocks,
        maxOperationBytes,
        maxPendingOperations,
        maxPendingBytes,
        maxSnapshotBytes,
        fetchWindow,
        attempts,
        retryDelayMillis,
        takeoverQuietMillis,
        leaseMillis);
  }

  public LogConfig withTailBytes(int tail, int block) {
    return new LogConfig(
        tail,
        block,
        snapshotEvery,
        maxBlocksSinceSnapshot,
        Math.min(maxOperationBytes, tail - 8),
        maxPendingOperations,
        maxPendingBytes,
        maxSnapshotBytes,
        fetchWindow,
        attempts,
        retryDelayMillis,
        takeoverQuietMillis,
        leaseMillis);
  }

  public LogConfig withTakeoverQuietMillis(long quiet) {
    return new LogConfig(
        tailBytes,
        blockBytes,
        snapshotEvery,
        maxBlocksSinceSnapshot,
        maxOperationBytes,
        maxPendingOperations,
        maxPendingBytes,
        maxSnapshotBytes,
        fetchWindow,
        attempts,
        retryDelayMillis,
        quiet,
        leaseMillis);
  }
}
