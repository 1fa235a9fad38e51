package org.epost.post.api;

import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.LoopOnly;

/**
 * Streams a range of one part, block by block, with a bounded number of blocks fetched ahead (ADR
 * 0100). Memory held is at most the prefetch window of verified, decrypted blocks.
 *
 * <p>Threading: call on the node's loop; stages complete on the loop. One {@link #next()} at a
 * time: call it again only once the previous stage has completed.
 */
@LoopOnly
public interface PartReader {
  /**
   * The next bytes of the range in order (at most one block, 48 KiB), or null once the range is
   * exhausted. Fails with a {@link StoreException} subclass; after a failure every later call fails
   * the same way.
   */
  CompletionStage<byte[]> next();

  /** Stops prefetching and drops what was fetched; later {@link #next()} calls fail. */
  void close();
}
