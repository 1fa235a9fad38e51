package org.epost.post.store;

import java.util.ArrayList;
import java.util.List;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.EncryptedBlock;
import org.epost.crypto.content.ConvergentEncryption;

/**
 * Builds one part's block tree as its leaves arrive (ADR 0100): keeps, per level, the entries of
 * the interior block being filled (at most {@link Blocks#FANOUT}), and emits an interior block as
 * soon as a level is full, so memory is bounded by levels x fan-out entries whatever the part's
 * length. Not thread-safe: owned by one writer, used by one task at a time.
 */
final class TreeWriter {
  private final ConvergentEncryption ce;
  private final List<List<ContentKey>> levels = new ArrayList<>();
  private final List<Long> totals = new ArrayList<>();

  TreeWriter(ConvergentEncryption ce) {
    this.ce = ce;
  }

  /**
   * Encrypts the next {@code len} bytes of the part ({@code buf[off, off+len)}, at most one {@link
   * Blocks#LEAF}) as a leaf, adding it and the interior blocks it completes to {@code out}. A short
   * leaf ends the part; a part of no bytes is one empty leaf ({@code first} says no leaf came yet).
   *
   * @return the root's key once the part ended, else null
   */
  ContentKey addContent(byte[] buf, int off, int len, boolean first, List<EncryptedBlock> out) {
    if (len > 0 || first) {
      EncryptedBlock leaf = ce.encryptBlock(buf, off, len);
      out.add(leaf);
      addLeaf(leaf.key(), out);
    }
    return len < Blocks.LEAF ? finish(out) : null;
  }

  /** Adds the next leaf; returns the interior blocks this completed (to insert), maybe none. */
  List<EncryptedBlock> addLeaf(ContentKey leaf, List<EncryptedBlock> out) {
    add(0, leaf, out);
    return out;
  }

  private void add(int level, ContentKey key, List<EncryptedBlock> out) {
    while (levels.size() <= level) {
      levels.add(new ArrayList<>());
      totals.add(0L);
    }
    List<ContentKey> entries = levels.get(level);
    entries.add(key);
    totals.set(level, totals.get(level) + key.length());
    if (entries.size() == Blocks.FANOUT) {
      emit(level, out);
    }
  }

  /** Encrypts the interior block over level {@code level}'s entries and adds it one level up. */
  private void emit(int level, List<EncryptedBlock> out) {
    List<ContentKey> entries = levels.get(level);
    long total = totals.get(level);
    byte[] plain = Blocks.encodeInterior(level + 1, total, entries);
    EncryptedBlock block = ce.encryptBlock(plain, 0, plain.length, ContentKey.Kind.MANIFEST);
    out.add(block);
    levels.set(level, new ArrayList<>());
    totals.set(level, 0L);
    ContentKey k = block.key();
    add(level + 1, new ContentKey(k.id(), k.key(), ContentKey.Kind.MANIFEST, total), out);
  }

  /**
   * Closes the tree after the last leaf: emits the partly filled levels bottom up and returns the
   * root's key (the single leaf itself for a part of one leaf).
   */
  ContentKey finish(List<EncryptedBlock> out) {
    if (levels.isEmpty()) {
      throw new IllegalStateException("a part has at least one leaf");
    }
    for (int level = 0; ; level++) {
      int top = levels.size() - 1;
      while (top > 0 && levels.get(top).isEmpty()) {
        top--;
      }
      List<ContentKey> entries = levels.get(level);
      if (level == top && entries.size() == 1) {
        return entries.get(0);
      }
      if (!entries.isEmpty()) {
        emit(level, out);
      }
    }
  }
}
