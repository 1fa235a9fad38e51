package org.epost.post.notify;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.Id;

/**
 * Where a storer keeps the pending items it holds for others. The pending store ({@link
 * NotifyNode}) keeps the index, the quotas and the expiry itself and bounds what is put here
 * ({@link NotifyConfig#storeMaxBytes}); at its creation it rebuilds its index from {@link #held()},
 * so a store that survives a restart of its node ({@link FilePendingItemStore}) keeps the node's
 * items across it. Threading: called on the node's loop; stages complete there.
 */
public interface PendingItemStore {
  /**
   * One held item.
   *
   * @param inbox the recipient's inbox key
   * @param itemId {@code SHA-256(sealed)[0..16)}
   * @param token the sender's rate token
   * @param expiresAt when the item expires (wall time, epoch ms)
   * @param sealed the sealed notification
   */
  record Item(Id inbox, byte[] itemId, byte[] token, long expiresAt, byte[] sealed) {}

  /**
   * Stores an item (replacing any earlier bytes under the same id). The bytes are visible to {@link
   * #get} at once; the stage completes when the item survives a restart of the node (at once for a
   * store in memory), and fails if it cannot be kept (full, I/O error): the storer then refuses the
   * item and does not acknowledge it to the depositor.
   */
  CompletionStage<Void> put(Id inbox, byte[] itemId, byte[] token, long expiresAt, byte[] sealed);

  /** The bytes of an item, or null if this store does not hold it. */
  byte[] get(Id inbox, byte[] itemId);

  /**
   * Forgets an item (nothing if absent). A durable store may lose a removal in a crash (the item
   * then comes back, and is deleted again by the recipient's acknowledgement or its expiry), never
   * an item it acknowledged.
   */
  void remove(Id inbox, byte[] itemId);

  /** Every item held now, oldest first: what a node rebuilds its index from when it starts. */
  List<Item> held();
}
