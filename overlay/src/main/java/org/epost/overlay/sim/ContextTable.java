package org.epost.overlay.sim;

import org.epost.overlay.api.NodeHandle;

/**
 * Live node contexts by virtual address index: open addressing with linear probing and
 * backward-shift deletion, so departed nodes leave nothing behind and lookups box nothing. The
 * probe sequence compares a parallel {@code int} key array (index + 1, 0 = empty), so a lookup
 * touches one context object, the one it returns, rather than every context on its probe path
 * (at 10k+ nodes each of those is a cache miss; this was the top frame of the ring-build profile).
 */
final class ContextTable {
  private NodeContext[] slots = new NodeContext[64];
  private int[] keys = new int[64];
  private NodeHandle[] handles = new NodeHandle[64]; // the node's handle, null before attach
  private int size;

  /**
   * The handle of the node living at virtual address {@code index}, or null if none (or not yet
   * attached): one array read past the key probe, for decoding handles without a copy.
   */
  NodeHandle handle(int index) {
    int[] k = keys;
    int mask = k.length - 1;
    int key = index + 1;
    for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
      int c = k[i];
      if (c == key) {
        return handles[i];
      }
      if (c == 0) {
        return null;
      }
    }
  }

  /** Records the handle of the node at {@code ctx} (already put). */
  void attach(NodeContext ctx, NodeHandle handle) {
    int mask = keys.length - 1;
    int key = ctx.index + 1;
    for (int i = mix(ctx.index) & mask; keys[i] != 0; i = (i + 1) & mask) {
      if (keys[i] == key) {
        handles[i] = handle;
        return;
      }
    }
  }

  NodeContext get(int index) {
    int[] k = keys;
    int mask = k.length - 1;
    int key = index + 1;
    for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
      int c = k[i];
      if (c == key) {
        return slots[i];
      }
      if (c == 0) {
        return null;
      }
    }
  }

  void put(NodeContext ctx) {
    if ((size + 1) * 2 > slots.length) {
      rehash(slots.length * 2);
    }
    int mask = slots.length - 1;
    int key = ctx.index + 1;
    int i = mix(ctx.index) & mask;
    while (keys[i] != 0 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (keys[i] == 0) {
      size++;
    }
    keys[i] = key;
    slots[i] = ctx;
    handles[i] = ctx.node == null ? null : ctx.node.handle;
  }

  void remove(int index) {
    int mask = slots.length - 1;
    int key = index + 1;
    int i = mix(index) & mask;
    while (keys[i] != 0 && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (keys[i] == 0) {
      return;
    }
    keys[i] = 0;
    slots[i] = null;
    handles[i] = null;
    size--;
    // Backward shift: move later entries of the cluster into the hole where they belong.
    for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
      int home = mix(keys[j] - 1) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        keys[i] = keys[j];
        slots[i] = slots[j];
        handles[i] = handles[j];
        keys[j] = 0;
        slots[j] = null;
        handles[j] = null;
        i = j;
      }
    }
    if (size * 8 < slots.length && slots.length > 64) {
      rehash(slots.length / 2);
    }
  }

  int size() {
    return size;
  }

  private void rehash(int capacity) {
    NodeContext[] old = slots;
    slots = new NodeContext[capacity];
    keys = new int[capacity];
    handles = new NodeHandle[capacity];
    size = 0;
    for (NodeContext c : old) {
      if (c != null) {
        put(c);
      }
    }
  }

  private static int mix(int x) {
    x *= 0x9E3779B9;
    return x ^ (x >>> 16);
  }
}
