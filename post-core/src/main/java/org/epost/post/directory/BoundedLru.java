package org.epost.post.directory;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map that drops its least recently used entry beyond a capacity. On the loop only. */
final class BoundedLru<K, V> extends LinkedHashMap<K, V> {
  private static final long serialVersionUID = 1L;
  private final int capacity;

  BoundedLru(int capacity) {
    super(Math.min(capacity, 1024), 0.75f, true);
    this.capacity = capacity;
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > capacity;
  }
}
