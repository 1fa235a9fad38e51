package org.epost.overlay.past.api;

import java.util.List;
import org.epost.overlay.api.Id;

/**
 * A node's local replica storage. Two implementations ship: a crash-safe disk store (the product)
 * and an in-memory store with the same quota semantics (simulations of thousands of nodes).
 *
 * <p>Threading: implementations are thread-safe. PAST calls them from its storage executor (a disk
 * store blocks on I/O), never on the event loop in real mode.
 *
 * <p>A store keeps at most one object per id: for a mutable id the highest valid sequence. It does
 * not verify signatures itself (PAST verifies before storing) but never serves bytes that fail its
 * own integrity check (a torn or corrupted file reads as absent).
 */
public interface ObjectStore {

  /** What {@link #put} did. */
  enum PutResult {
    /** Stored durably (a disk store has fsynced it). */
    STORED,
    /** The same object, or a newer version of a mutable one, was already there; nothing changed. */
    ALREADY_PRESENT
  }

  /**
   * One stored object's metadata, for rebuilding an index at start. {@code expiryMillis} is a wall
   * time (epoch milliseconds), stored as it came: a store never reads a clock.
   */
  record Entry(Id id, ObjectKind kind, int size, long expiryMillis) {}

  /**
   * Stores {@code object} (already verified by the caller). For a mutable object with a lower or
   * equal sequence than the stored one, returns {@link PutResult#ALREADY_PRESENT}.
   *
   * @throws PastException.QuotaExceededException if the object does not fit in the quota
   * @throws PastException.StorageException on an I/O failure (nothing half-written is ever served)
   */
  PutResult put(PastObject object);

  /**
   * The stored object, or null if absent (or unreadable: a corrupted copy is dropped and reported
   * as absent so that repair fetches a good one).
   *
   * @throws PastException.StorageException on an I/O failure other than corruption
   */
  PastObject get(Id id);

  /**
   * Sets the lease expiry (a wall time, epoch ms) of a stored immutable object; false if absent.
   */
  boolean setExpiry(Id id, long expiryMillis);

  /** Deletes the object; false if it was absent. */
  boolean delete(Id id);

  /** Every stored object's metadata, in id order. */
  List<Entry> entries();

  /** Bytes used by stored objects. */
  long usedBytes();

  /** The configured quota in bytes. */
  long quotaBytes();
}
