package org.epost.overlay.past.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;

/**
 * An {@link ObjectStore} held in memory, with the same quota and version semantics as the disk
 * store. It is what a simulation of a thousand nodes uses (an offline simulated node keeps its
 * store object, as a real desktop keeps its disk); it does not survive a process restart.
 * Thread-safe.
 */
public final class MemoryObjectStore implements ObjectStore {
  private final long quotaBytes;
  private final TreeMap<Id, PastObject> objects = new TreeMap<>();
  private long used;

  /** A store that refuses objects beyond {@code quotaBytes} of object bytes. */
  public MemoryObjectStore(long quotaBytes) {
    if (quotaBytes <= 0) {
      throw new IllegalArgumentException("quota must be positive, got " + quotaBytes);
    }
    this.quotaBytes = quotaBytes;
  }

  @Override
  public synchronized PutResult put(PastObject object) {
    PastObject current = objects.get(object.id());
    if (current != null) {
      if (object.kind() == ObjectKind.IMMUTABLE || object.sequence() <= current.sequence()) {
        return PutResult.ALREADY_PRESENT;
      }
    }
    long after = used - (current == null ? 0 : current.size()) + object.size();
    if (after > quotaBytes) {
      throw new PastException.QuotaExceededException(
          "store full: "
              + used
              + " of "
              + quotaBytes
              + " bytes used, object "
              + object.id()
              + " needs "
              + object.size());
    }
    objects.put(object.id(), object);
    used = after;
    return PutResult.STORED;
  }

  @Override
  public synchronized PastObject get(Id id) {
    return objects.get(id);
  }

  @Override
  public synchronized boolean setExpiry(Id id, long expiryMillis) {
    PastObject current = objects.get(id);
    if (current == null || current.kind() != ObjectKind.IMMUTABLE) {
      return false;
    }
    objects.put(id, current.withExpiry(expiryMillis));
    return true;
  }

  @Override
  public synchronized boolean delete(Id id) {
    PastObject removed = objects.remove(id);
    if (removed == null) {
      return false;
    }
    used -= removed.size();
    return true;
  }

  @Override
  public synchronized List<Entry> entries() {
    List<Entry> out = new ArrayList<>(objects.size());
    for (Map.Entry<Id, PastObject> e : objects.entrySet()) {
      PastObject o = e.getValue();
      out.add(new Entry(o.id(), o.kind(), o.size(), o.expiryMillis()));
    }
    return out;
  }

  @Override
  public synchronized long usedBytes() {
    return used;
  }

  @Override
  public long quotaBytes() {
    return quotaBytes;
  }

  /** Objects held. */
  public synchronized int size() {
    return objects.size();
  }
}
