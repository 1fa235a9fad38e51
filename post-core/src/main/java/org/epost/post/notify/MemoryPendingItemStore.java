package org.epost.post.notify;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.epost.overlay.api.Id;

/**
 * Pending items in memory: what a simulated node and a node without a disk store use. Its size is
 * bounded by the pending store's quotas ({@link NotifyConfig#storeMaxBytes}).
 */
public final class MemoryPendingItemStore implements PendingItemStore {
  private final Map<Id, Map<String, byte[]>> items = new HashMap<>();

  @Override
  public void put(Id inbox, byte[] itemId, byte[] sealed) {
    items.computeIfAbsent(inbox, k -> new HashMap<>()).put(hex(itemId), sealed.clone());
  }

  @Override
  public byte[] get(Id inbox, byte[] itemId) {
    Map<String, byte[]> m = items.get(inbox);
    byte[] b = m == null ? null : m.get(hex(itemId));
    return b == null ? null : b.clone();
  }

  @Override
  public void remove(Id inbox, byte[] itemId) {
    Map<String, byte[]> m = items.get(inbox);
    if (m != null) {
      m.remove(hex(itemId));
      if (m.isEmpty()) {
        items.remove(inbox);
      }
    }
  }

  static String hex(byte[] id) {
    return HexFormat.of().formatHex(id);
  }
}
