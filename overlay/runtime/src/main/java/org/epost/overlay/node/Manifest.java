package org.epost.overlay.node;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.PastObject;

/**
 * The manifest of a file stored in chunks (ADR 0094): an immutable PAST object listing the ids of
 * the file's chunks (level 0) or of further manifests (level n > 0, each of level n - 1), the bytes
 * it covers, the chunk size and the SHA-256 of the whole file. Big-endian:
 *
 * <pre>
 * magic "EPMF" (4) | version 1 (1) | level (1) | chunk size (4) | length covered (8)
 *   | SHA-256 of the whole file (32) | entries (4) | entry ids (20 each)
 * </pre>
 *
 * One manifest holds {@link #MAX_ENTRIES} entries (2,864 chunks of 56 KiB: 160 MB per level-0
 * manifest); larger files get a tree. Immutable value.
 */
record Manifest(int level, int chunkSize, long length, byte[] fileHash, List<Id> entries) {
  static final byte[] MAGIC = {'E', 'P', 'M', 'F'};
  static final int VERSION = 1;
  static final int HEADER = 4 + 1 + 1 + 4 + 8 + 32 + 4;
  static final int MAX_ENTRIES = (PastObject.MAX_BYTES - HEADER) / Id.BYTES;

  /** Chunk size of new files: as large as a PAST object may be. */
  static final int CHUNK = PastObject.MAX_BYTES;

  Manifest {
    if (level < 0 || level > 8 || chunkSize < 1 || length < 0 || fileHash.length != 32) {
      throw new IllegalArgumentException("bad manifest header");
    }
    if (entries.isEmpty() || entries.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("a manifest lists 1.." + MAX_ENTRIES + " entries");
    }
    entries = List.copyOf(entries);
  }

  /** Bytes one entry of a manifest of {@code level} covers at most. */
  static long span(int level, int chunkSize) {
    long s = chunkSize;
    for (int i = 0; i < level; i++) {
      s = Math.multiplyExact(s, MAX_ENTRIES);
    }
    return s;
  }

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(HEADER + entries.size() * Id.BYTES);
    b.put(MAGIC).put((byte) VERSION).put((byte) level).putInt(chunkSize).putLong(length);
    b.put(fileHash).putInt(entries.size());
    for (Id id : entries) {
      b.put(id.toBytes());
    }
    return b.array();
  }

  /**
   * The manifest in {@code bytes}, or null if they are not one: wrong magic or version, or a header
   * inconsistent with the entries (a level-0 manifest lists exactly the chunks its length needs; a
   * higher one no more entries than its length needs and no fewer than would fit one level below).
   */
  static Manifest decode(byte[] bytes) {
    if (bytes.length < HEADER || !Arrays.equals(Arrays.copyOf(bytes, 4), MAGIC)) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 4, bytes.length - 4);
    if (b.get() != VERSION) {
      return null;
    }
    int level = b.get();
    int chunk = b.getInt();
    long length = b.getLong();
    byte[] hash = new byte[32];
    b.get(hash);
    int n = b.getInt();
    if (level < 0
        || level > 8
        || chunk < 1
        || chunk > PastObject.MAX_BYTES
        || length < 1
        || n < 1
        || n > MAX_ENTRIES
        || bytes.length != HEADER + n * Id.BYTES) {
      return null;
    }
    long span = span(level, chunk);
    if (n != (length + span - 1) / span) {
      return null;
    }
    List<Id> ids = new ArrayList<>(n);
    byte[] id = new byte[Id.BYTES];
    for (int i = 0; i < n; i++) {
      b.get(id);
      ids.add(Id.fromBytes(id));
    }
    return new Manifest(level, chunk, length, hash, ids);
  }

  /** A full manifest fits one PAST object (checked by a test). */
  static boolean encodedMaxFits() {
    return HEADER + MAX_ENTRIES * Id.BYTES <= PastObject.MAX_BYTES;
  }

  /** Bytes entry {@code i} covers. */
  long entryLength(int i) {
    long span = span(level, chunkSize);
    return Math.min(span, length - i * span);
  }
}
