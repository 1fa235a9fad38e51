package org.epost.post.notify;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.Id;

/**
 * Pending items in memory: what a simulated node and a node without a disk store use; it lives as
 * long as the object (a new one per node start models a node that loses its items with its
 * process). Its size is bounded by the pending store's quotas ({@link NotifyConfig#storeMaxBytes}).
 */
public final class MemoryPendingItemStore implements PendingItemStore {
  private final Map<Id, Map<String, Item>> items = new LinkedHashMap<>();

  @Override
  public CompletionStage<Void> put(
      Id inbox, byte[] itemId, byte[] token, long expiresAt, byte[] sealed) {
    items
        .computeIfAbsent(inbox, k -> new LinkedHashMap<>())
        .put(
            hex(itemId), new Item(inbox, itemId.clone(), token.clone(), expiresAt, sealed.clone()));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public byte[] get(Id inbox, byte[] itemId) {
    Map<String, Item> m = items.get(inbox);
    Item b = m == null ? null : m.get(hex(itemId));
    return b == null ? null : b.sealed().clone();
  }

  @Override
  public void remove(Id inbox, byte[] itemId) {
    Map<String, Item> m = items.get(inbox);
    if (m != null) {
      m.remove(hex(itemId));
      if (m.isEmpty()) {
        items.remove(inbox);
      }
    }
  }

  @Override
  public List<Item> held() {
    List<Item> out = new ArrayList<>();
    for (Map<String, Item> m : items.values()) {
      out.addAll(m.values());
    }
    return out;
  }

  static String hex(byte[] id) {
    return HexFormat.of().formatHex(id);
  }
}
