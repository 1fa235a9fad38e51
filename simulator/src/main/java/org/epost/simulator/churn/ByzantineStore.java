package org.epost.simulator.churn;

import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.past.store.MemoryObjectStore;

/**
 * The store of a malicious simulated node: the PAST protocol code above it is the real one, but its
 * storage lies in one of four ways ({@link Behaviour}). Part of the simulator's fault model; never
 * used by the product. Thread-safe as the store it wraps.
 */
public final class ByzantineStore implements ObjectStore {

  /** How a malicious storer misbehaves. */
  public enum Behaviour {
    /** Stores objects, then drops each one the first time it is asked for it. */
    DROP,
    /** Serves every object with one byte flipped. */
    CORRUPT,
    /**
     * Keeps the first version of a mutable object it sees and serves it forever (claims newer ones
     * stored).
     */
    STALE,
    /** Acknowledges every store and advertises the object, but keeps nothing. */
    CLAIM
  }

  private final MemoryObjectStore inner;
  private final Behaviour behaviour;
  private final java.util.Set<Id> claimed = new java.util.TreeSet<>();
  private final java.util.Map<Id, Long> newestOffered = new java.util.HashMap<>();
  private long corruptServed;
  private long staleServed;

  public ByzantineStore(MemoryObjectStore inner, Behaviour behaviour) {
    this.inner = inner;
    this.behaviour = behaviour;
  }

  /**
   * Corrupted copies read out of this store so far (for replies, repair pushes and audit proofs).
   */
  public synchronized long corruptServed() {
    return corruptServed;
  }

  /**
   * Mutable copies read out of this store that are older than a version it was given and refused.
   */
  public synchronized long staleServed() {
    return staleServed;
  }

  @Override
  public synchronized PutResult put(PastObject object) {
    switch (behaviour) {
      case CLAIM -> {
        claimed.add(object.id());
        return PutResult.STORED;
      }
      case STALE -> {
        if (object.kind() == ObjectKind.MUTABLE) {
          newestOffered.merge(object.id(), object.sequence(), Math::max);
        }
        if (object.kind() == ObjectKind.MUTABLE && inner.get(object.id()) != null) {
          return PutResult.STORED; // a lie: the old version stays
        }
        return inner.put(object);
      }
      default -> {
        return inner.put(object);
      }
    }
  }

  @Override
  public synchronized PastObject get(Id id) {
    PastObject o = inner.get(id);
    if (o == null) {
      return null;
    }
    switch (behaviour) {
      case DROP -> {
        inner.delete(id);
        return null;
      }
      case CORRUPT -> {
        byte[] b = o.bytes();
        b[b.length / 2] ^= 0x5A;
        corruptServed++;
        return PastObject.unverified(o.kind(), o.id(), b, o.expiryMillis());
      }
      case STALE -> {
        Long newest = newestOffered.get(id);
        if (o.kind() == ObjectKind.MUTABLE && newest != null && o.sequence() < newest) {
          staleServed++;
        }
        return o;
      }
      default -> {
        return o;
      }
    }
  }

  @Override
  public synchronized boolean setExpiry(Id id, long expiryMillis) {
    return behaviour == Behaviour.CLAIM ? claimed.contains(id) : inner.setExpiry(id, expiryMillis);
  }

  @Override
  public synchronized boolean delete(Id id) {
    claimed.remove(id);
    newestOffered.remove(id);
    return inner.delete(id);
  }

  @Override
  public synchronized List<Entry> entries() {
    return inner.entries();
  }

  @Override
  public synchronized long usedBytes() {
    return inner.usedBytes();
  }

  @Override
  public long quotaBytes() {
    return inner.quotaBytes();
  }
}
