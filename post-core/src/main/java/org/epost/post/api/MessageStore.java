package org.epost.post.api;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.LoopOnly;

/**
 * The single-copy message store (ADR 0100, ADR 0101): a message is stored once, encrypted under
 * keys derived from its content and the sender's convergence secret, as a tree of blocks of at most
 * 48 KiB on PAST; every recipient receives the same {@link MessageRef}.
 *
 * <p><b>Threading.</b> Call every method on the node's event loop (from another thread through
 * {@link org.epost.overlay.api.LoopBridge}); every returned stage completes on the loop.
 * Encryption, decryption and hashing of blocks, and reading a part's input stream, run through the
 * node's {@link org.epost.overlay.api.OffLoopExecutor}.
 *
 * <p><b>Failures.</b> Stages complete exceptionally with a {@link StoreException} subclass: {@link
 * StoreException.StoreUnavailableException} (retryable: the ring could not act now, after the
 * store's own bounded retries), {@link StoreException.MessageNotFoundException} (a block is absent
 * from its replica set: never stored, or its lease ran out), {@link
 * StoreException.CorruptMessageException} (a block is not what the reference names), {@link
 * StoreException.MessageTooLargeException} and {@link StoreException.PartInputException}; only the
 * first is retryable. A caller's mistake (no parts, a negative range) throws {@link
 * IllegalArgumentException} at once.
 *
 * <p><b>Lifetime.</b> Blocks are inserted with a lease (390 days by default) that somebody must
 * renew. Every owner whose logs reference a message {@link #hold holds} it in this node's lease
 * ledger and the store renews what it holds in a daily sweep, well before the lease ends, so that
 * an owner offline for six months loses nothing; a message nobody holds any more is collected by
 * PAST once its last lease ends (ADR 0101).
 */
@LoopOnly
public interface MessageStore {
  /** Most bytes {@link #read} returns at once; stream larger ranges with {@link #reader}. */
  int MAX_READ_BYTES = 1 << 20;

  /** Most parts in one message. */
  int MAX_PARTS = 256;

  /**
   * Stores a message made of {@code parts} (1..{@link #MAX_PARTS}), in order. Reads each part's
   * input once, encrypting and inserting its blocks as it reads with a bounded window of inserts in
   * flight, and inserts the message block last.
   *
   * <p>Completes once every block of the message is stored on a majority of its replica set: from
   * then on the reference can be handed out. Refuses a message over the configured maximum size
   * with {@link StoreException.MessageTooLargeException}: before any insert when every part
   * declares its length, else as soon as the bytes read pass the maximum. Each insert is retried on
   * a retryable PAST failure before the store fails with {@link
   * StoreException.StoreUnavailableException}; storing the same parts again is cheap, because the
   * blocks are the same and inserts are idempotent. The caller records the reference in its logs
   * and {@link #hold holds} it.
   *
   * @throws IllegalArgumentException if {@code parts} is empty or longer than {@link #MAX_PARTS}
   */
  CompletionStage<StoredMessage> store(List<PartInput> parts);

  /**
   * Reads the message block and lists the message's parts, without reading any part's bytes: one
   * block fetch.
   */
  CompletionStage<OpenedMessage> open(MessageRef ref);

  /**
   * Reads {@code length} bytes of {@code part} from {@code offset} (fewer when the part ends
   * first). Fetches the interior blocks on the way to the range and only the leaves that overlap
   * it, each verified against its full 32-byte id.
   *
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative or {@code
   *     length} exceeds {@link #MAX_READ_BYTES}
   */
  CompletionStage<byte[]> read(PartRef part, long offset, int length);

  /**
   * A streaming reader of {@code part} from {@code offset} for {@code length} bytes (or to the
   * part's end), with a bounded window of blocks fetched ahead.
   *
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative
   */
  PartReader reader(PartRef part, long offset, long length);

  /**
   * Extends the lease of every block of the message to {@code expiryWallMillis} (a wall time, epoch
   * ms; storers cap it at their maximum lease). Reads the message block and the interior blocks to
   * find the leaves, never the leaves themselves. Completes with the number of blocks renewed, once
   * a majority of each block's replica set extended it.
   */
  CompletionStage<Integer> renew(MessageRef ref, long expiryWallMillis);

  /**
   * Records in this node's lease ledger that a log of this node's owner references {@code ref},
   * whose blocks are known to be leased until {@code knownExpiryWallMillis} (from {@link
   * StoredMessage#expiryWallMillis} for the sender, from the notification for a recipient; 0 when
   * unknown, which makes the next sweep renew it). Holds are counted: a message filed in two
   * folders is held twice and released twice.
   *
   * @throws StoreException.LedgerFullException if the ledger is at its bound
   */
  void hold(MessageRef ref, long knownExpiryWallMillis);

  /**
   * Drops one hold of {@code ref} (the owner's logs dropped a reference: the message was deleted or
   * expunged). When no hold is left this node stops renewing it; true if a hold was dropped.
   */
  boolean release(MessageRef ref);

  /**
   * Runs one renewal sweep now (the store runs one a day by itself): renews the held messages whose
   * known expiry is within the renewal window, within the sweep's budget. Completes with the number
   * of messages renewed; messages it could not renew stay due for the next sweep.
   */
  CompletionStage<Integer> sweep();

  /** This node's counters. */
  StoreStatistics statistics();

  /**
   * Stops the daily sweep; later calls fail with {@link StoreException.StoreUnavailableException}.
   */
  void stop();
}
