package org.epost.overlay.sim;

/**
 * Live node contexts by virtual address index: open addressing with linear probing and
 * backward-shift deletion, so departed nodes leave nothing behind and lookups box nothing.
 */
final class ContextTable {
  private NodeContext[] slots = new NodeContext[64];
  private int size;

  NodeContext get(int index) {
    NodeContext[] s = slots;
    int mask = s.length - 1;
    for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
      NodeContext c = s[i];
      if (c == null || c.index == index) {
        return c;
      }
    }
  }

  void put(NodeContext ctx) {
    if ((size + 1) * 2 > slots.length) {
      rehash(slots.length * 2);
    }
    int mask = slots.length - 1;
    int i = mix(ctx.index) & mask;
    while (slots[i] != null && slots[i].index != ctx.index) {
      i = (i + 1) & mask;
    }
    if (slots[i] == null) {
      size++;
    }
    slots[i] = ctx;
  }

  void remove(int index) {
    int mask = slots.length - 1;
    int i = mix(index) & mask;
    while (slots[i] != null && slots[i].index != index) {
      i = (i + 1) & mask;
    }
    if (slots[i] == null) {
      return;
    }
    slots[i] = null;
    size--;
    // Backward shift: move later entries of the cluster into the hole where they belong.
    for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
      int home = mix(slots[j].index) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        slots[i] = slots[j];
        slots[j] = null;
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
