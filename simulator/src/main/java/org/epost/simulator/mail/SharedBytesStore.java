package org.epost.simulator.mail;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastObject;

/**
 * A simulated node's object store that keeps one byte array for identical copies across the whole
 * simulation (ADR 0135): the k replicas of a block held by k simulated nodes in one JVM share one
 * array instead of k. What each store holds, reports and serves is unchanged (its sizes and quota
 * count every copy; a copy is shared only when its bytes are equal, compared in full); only the
 * heap of the simulator shrinks. Not thread-safe: the simulation is single-threaded.
 */
final class SharedBytesStore implements ObjectStore {
  private final ObjectStore inner;
  private final Pool pool;

  SharedBytesStore(ObjectStore inner, Pool pool) {
    this.inner = inner;
    this.pool = pool;
  }

  @Override
  public PutResult put(PastObject object) {
    return inner.put(pool.share(object));
  }

  @Override
  public PastObject get(Id id) {
    return inner.get(id);
  }

  @Override
  public boolean setExpiry(Id id, long expiryMillis) {
    return inner.setExpiry(id, expiryMillis);
  }

  @Override
  public boolean delete(Id id) {
    return inner.delete(id);
  }

  @Override
  public List<Entry> entries() {
    return inner.entries();
  }

  @Override
  public long usedBytes() {
    return inner.usedBytes();
  }

  @Override
  public long quotaBytes() {
    return inner.quotaBytes();
  }

  /**
   * The arrays shared by one simulation's stores, by object id, held weakly: an array no store
   * references any more is collected and its entry dropped.
   */
  static final class Pool {
    private final Map<Id, Ref> byId = new HashMap<>();
    private final ReferenceQueue<byte[]> collected = new ReferenceQueue<>();
    private long shared;

    /** {@code object}, with the pool's array when it holds equal bytes for the same id. */
    PastObject share(PastObject object) {
      expunge();
      byte[] bytes = object.bytesUnsafe();
      Ref ref = byId.get(object.id());
      byte[] known = ref == null ? null : ref.get();
      if (known == bytes) {
        return object;
      }
      if (known != null && Arrays.equals(known, bytes)) {
        shared++;
        return object.withSharedBytes(known);
      }
      byId.put(object.id(), new Ref(object.id(), bytes, collected)); // new, or another version
      return object;
    }

    /** Copies stored with an array already held by another store. */
    long sharedCopies() {
      return shared;
    }

    private void expunge() {
      for (Object r; (r = collected.poll()) != null; ) {
        Ref ref = (Ref) r;
        byId.remove(ref.id, ref);
      }
    }
  }

  private static final class Ref extends WeakReference<byte[]> {
    final Id id;

    Ref(Id id, byte[] bytes, ReferenceQueue<byte[]> queue) {
      super(bytes, queue);
      this.id = id;
    }
  }
}
