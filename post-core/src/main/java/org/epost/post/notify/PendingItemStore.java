package org.epost.post.notify;

import org.epost.overlay.api.Id;

/**
 * Where a storer keeps the sealed bytes of pending items. The pending store ({@link NotifyNode})
 * keeps the index, the quotas and the expiry itself and calls this only for the bytes; it bounds
 * what is put here ({@link NotifyConfig#storeMaxBytes}). Threading: called on the node's loop.
 */
public interface PendingItemStore {
  /**
   * Stores {@code sealed} as item {@code itemId} of {@code inbox} (replacing any earlier bytes).
   */
  void put(Id inbox, byte[] itemId, byte[] sealed);

  /** The bytes of an item, or null if this store does not hold it. */
  byte[] get(Id inbox, byte[] itemId);

  /** Forgets an item (nothing if absent). */
  void remove(Id inbox, byte[] itemId);
}
