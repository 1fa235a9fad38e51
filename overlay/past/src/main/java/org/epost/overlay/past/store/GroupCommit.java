package org.epost.overlay.past.store;

/**
 * A store that can make several writes durable with one sync (group commit, ADR 0087). Between
 * {@link #beginBatch} and {@link #commit}, writes by the calling thread are applied (reads see
 * them) but not yet durable; {@link #commit} makes all of them durable at once. A caller must not
 * acknowledge a write of the batch before {@code commit} returned normally. Writes by other
 * threads, and writes outside a batch, are durable when they return, as {@code ObjectStore} says.
 */
public interface GroupCommit {
  /** Starts a batch owned by the calling thread. */
  void beginBatch();

  /**
   * Makes every write of the calling thread's batch durable and ends the batch.
   *
   * @throws org.epost.overlay.past.api.PastException.StorageException if the sync fails: then no
   *     write of the batch may be acknowledged (some may survive a crash, which is harmless: they
   *     were applied, only not promised)
   */
  void commit();
}
