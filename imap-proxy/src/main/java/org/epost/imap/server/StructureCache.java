package org.epost.imap.server;

import java.util.LinkedHashMap;
import java.util.Map;
import org.epost.imap.mime.MimePart;

/**
 * Parsed MIME structures shared by all connections, least recently used evicted first. The lock is
 * held only for map operations, never while parsing or calling the backend.
 */
final class StructureCache {
  private final int capacity;
  private final Map<String, MimePart> map;

  StructureCache(int capacity) {
    this.capacity = capacity;
    this.map =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, MimePart> eldest) {
            return size() > StructureCache.this.capacity;
          }
        };
  }

  static String key(String user, String mailbox, long uidValidity, long uid) {
    return user + '\0' + mailbox + '\0' + uidValidity + '\0' + uid;
  }

  synchronized MimePart get(String key) {
    return map.get(key);
  }

  synchronized void put(String key, MimePart part) {
    if (capacity > 0) {
      map.put(key, part);
    }
  }
}
