package org.epost.overlay.sim;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.epost.overlay.api.NodeHandle;

/**
 * Live node contexts by virtual address index: open addressing with linear probing and
 * backward-shift deletion, so departed nodes leave nothing behind and lookups box nothing. The
 * probe sequence reads one primitive array in which each slot holds the key (index + 1, 0 = empty)
 * and the 160-bit id of the node living there, side by side: a lookup touches one context or handle
 * object, the one it returns, rather than every object on its probe path, and reading a handle from
 * a frame ({@link #handleIfMatches}) compares the id without touching the node's handle or id
 * objects at all (at 10k+ nodes each of those is a cache miss; this was the top frame of the
 * ring-build profile).
 */
final class ContextTable {
  private static final int STRIDE = 4; // key, id bits 159..96, 95..32, 31..0
  private NodeContext[] slots = new NodeContext[64];
  private long[] table = new long[64 * STRIDE];
  private NodeHandle[] handles = new NodeHandle[64]; // the node's handle, null before attach
  private int size;

  /**
   * The handle of the node living at virtual address {@code index} if its id is the 20 bytes of
   * {@code in} at {@code pos}, else null (no such node, another id, or not attached yet).
   */
  NodeHandle handleIfMatches(int index, ByteBuffer in, int pos) {
    int i = find(index);
    if (i < 0) {
      return null;
    }
    long[] t = table;
    int b = i * STRIDE;
    return t[b + 1] == in.getLong(pos)
            && t[b + 2] == in.getLong(pos + 8)
            && (int) t[b + 3] == in.getInt(pos + 16)
        ? handles[i]
        : null;
  }

  /** The handle of the node at virtual address {@code index}, or null. */
  NodeHandle handle(int index) {
    int i = find(index);
    return i < 0 ? null : handles[i];
  }

  /** Records the handle of the node at {@code ctx} (already put). */
  void attach(NodeContext ctx, NodeHandle handle) {
    int i = find(ctx.index);
    if (i >= 0) {
      setHandle(i, handle);
    }
  }

  NodeContext get(int index) {
    int i = find(index);
    return i < 0 ? null : slots[i];
  }

  void put(NodeContext ctx) {
    if ((size + 1) * 2 > slots.length) {
      rehash(slots.length * 2);
    }
    int mask = slots.length - 1;
    long key = ctx.index + 1L;
    int i = mix(ctx.index) & mask;
    while (table[i * STRIDE] != 0 && table[i * STRIDE] != key) {
      i = (i + 1) & mask;
    }
    if (table[i * STRIDE] == 0) {
      size++;
    }
    table[i * STRIDE] = key;
    slots[i] = ctx;
    setHandle(i, ctx.node == null ? null : ctx.node.handle);
  }

  void remove(int index) {
    int mask = slots.length - 1;
    int i = find(index);
    if (i < 0) {
      return;
    }
    clear(i);
    size--;
    // Backward shift: move later entries of the cluster into the hole where they belong.
    for (int j = (i + 1) & mask; table[j * STRIDE] != 0; j = (j + 1) & mask) {
      int home = mix((int) table[j * STRIDE] - 1) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        System.arraycopy(table, j * STRIDE, table, i * STRIDE, STRIDE);
        slots[i] = slots[j];
        handles[i] = handles[j];
        clear(j);
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

  private int find(int index) {
    long[] t = table;
    int mask = slots.length - 1;
    long key = index + 1L;
    for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
      long c = t[i * STRIDE];
      if (c == key) {
        return i;
      }
      if (c == 0) {
        return -1;
      }
    }
  }

  private void setHandle(int i, NodeHandle h) {
    handles[i] = h;
    int b = i * STRIDE;
    if (h == null) {
      table[b + 1] = 0;
      table[b + 2] = 0;
      table[b + 3] = 0;
      return;
    }
    ByteBuffer id = ByteBuffer.wrap(h.id().toBytes());
    table[b + 1] = id.getLong(0);
    table[b + 2] = id.getLong(8);
    table[b + 3] = id.getInt(16);
  }

  private void clear(int i) {
    Arrays.fill(table, i * STRIDE, i * STRIDE + STRIDE, 0L);
    slots[i] = null;
    handles[i] = null;
  }

  private void rehash(int capacity) {
    NodeContext[] old = slots;
    NodeHandle[] oldHandles = handles;
    slots = new NodeContext[capacity];
    table = new long[capacity * STRIDE];
    handles = new NodeHandle[capacity];
    size = 0;
    for (int i = 0; i < old.length; i++) {
      if (old[i] != null) {
        put(old[i]);
        if (oldHandles[i] != null) {
          attach(old[i], oldHandles[i]);
        }
      }
    }
  }

  private static int mix(int x) {
    x *= 0x9E3779B9;
    return x ^ (x >>> 16);
  }
}
