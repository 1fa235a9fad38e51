package org.epost.overlay.past.store;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.PastObject;

/** Least-recently-read objects, bounded by total bytes. Not thread-safe: its owner synchronizes. */
final class ReadCache {
  private final long maxBytes;
  private final LinkedHashMap<Id, PastObject> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  ReadCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  PastObject get(Id id) {
    return entries.get(id);
  }

  void put(PastObject object) {
    if (object.size() > maxBytes) {
      return;
    }
    remove(object.id());
    entries.put(object.id(), object);
    bytes += object.size();
    Iterator<Map.Entry<Id, PastObject>> it = entries.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      bytes -= it.next().getValue().size();
      it.remove();
    }
  }

  void remove(Id id) {
    PastObject old = entries.remove(id);
    if (old != null) {
      bytes -= old.size();
    }
  }

  long bytes() {
    return bytes;
  }

  int size() {
    return entries.size();
  }
}
