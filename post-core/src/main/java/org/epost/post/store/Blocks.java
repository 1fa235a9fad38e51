package org.epost.post.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.overlay.api.Id;
import org.epost.post.api.MessageStore;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartRef;
import org.epost.post.api.PartRole;

/**
 * The plaintext formats of the message store's blocks (ADR 0100). Pure functions; any thread.
 *
 * <pre>
 * leaf      DATA block, 0..48 KiB of a part's bytes
 * interior  MANIFEST block, context "epost/post-tree" v1:
 *             1 level (u8, 1..MAX_LEVEL; children are at level-1, level 0 = leaves)
 *             2 total length of the subtree (u64)
 *             3 entries, 1..700 of 68 bytes: child id (32) | child key (32) | child length (u32)
 * message   DATA block, context "epost/post-message" v1:
 *             1 parts, 1..256 entries: role (u8) | root kind (u8) | length (u64) | id (32) |
 *               key (32) | path length (u8) | path (UTF-8, 0..64 bytes)
 * </pre>
 */
final class Blocks {
  /** Plaintext bytes in one leaf. */
  static final int LEAF = 48 * 1024;

  /** Children of one interior block: 700 entries of 68 bytes fill it to 47,600 bytes. */
  static final int FANOUT = 700;

  /** Deepest tree accepted: level 3 covers 700^3 leaves, far beyond any message. */
  static final int MAX_LEVEL = 3;

  static final int ENTRY = 32 + 32 + 4;
  static final String TREE_CONTEXT = "epost/post-tree";
  static final String MESSAGE_CONTEXT = "epost/post-message";
  private static final int PART_FIXED = 1 + 1 + 8 + 32 + 32 + 1;

  private Blocks() {}

  /** PAST's id of a block: the first 20 bytes of its 32-byte {@link BlockId}. */
  static Id pastId(BlockId id) {
    return Id.fromBytes(Arrays.copyOf(id.toBytes(), Id.BYTES));
  }

  /** One decoded interior block: its level and its children's keys. */
  record Interior(int level, long total, List<ContentKey> children) {}

  static byte[] encodeInterior(int level, long total, List<ContentKey> children) {
    ByteBuffer b = ByteBuffer.allocate(children.size() * ENTRY);
    for (ContentKey c : children) {
      b.put(c.id().toBytes()).put(c.key()).putInt((int) c.length());
    }
    return CanonicalWriter.start(TREE_CONTEXT, 1)
        .u8(1, level)
        .u64(2, total)
        .bytes(3, b.array())
        .toByteArray();
  }

  /**
   * Decodes an interior block whose key says it covers {@code expectedTotal} bytes at {@code
   * expectedLevel}; every child length is checked (a leaf at most {@link #LEAF}, the lengths
   * summing to the total), so offsets computed from them are sound.
   */
  static Interior decodeInterior(byte[] plain, int expectedLevel, long expectedTotal)
      throws CryptoFormatException {
    CanonicalReader r = CanonicalReader.open(plain, TREE_CONTEXT, 1);
    int level = r.u8(1);
    long total = r.u64(2);
    byte[] entries = r.bytes(3, ENTRY, FANOUT * ENTRY);
    r.end();
    if (level != expectedLevel) {
      throw new CryptoFormatException(
          "tree block at level " + level + " where level " + expectedLevel + " was expected");
    }
    if (total != expectedTotal) {
      throw new CryptoFormatException("tree block length differs from the length in its key");
    }
    if (entries.length % ENTRY != 0) {
      throw new CryptoFormatException("tree block entries are not whole");
    }
    ContentKey.Kind kind = level == 1 ? ContentKey.Kind.DATA : ContentKey.Kind.MANIFEST;
    ByteBuffer b = ByteBuffer.wrap(entries);
    List<ContentKey> children = new ArrayList<>(entries.length / ENTRY);
    long sum = 0;
    byte[] id = new byte[32];
    byte[] key = new byte[32];
    while (b.hasRemaining()) {
      b.get(id).get(key);
      long len = b.getInt() & 0xFFFF_FFFFL;
      if (len < 1 || (level == 1 && len > LEAF)) {
        throw new CryptoFormatException("tree block child has bad length " + len);
      }
      sum += len;
      children.add(new ContentKey(BlockId.fromBytes(id), key, kind, len));
    }
    if (sum != total) {
      throw new CryptoFormatException("tree block child lengths do not add up");
    }
    return new Interior(level, total, children);
  }

  /** The level of a part's root: 0 for a leaf, else the fewest levels that hold its leaves. */
  static int rootLevel(long length) {
    if (length <= LEAF) {
      return 0;
    }
    long leaves = (length + LEAF - 1) / LEAF;
    int level = 0;
    long span = 1;
    while (span < leaves) {
      span *= FANOUT;
      level++;
    }
    return level;
  }

  static byte[] encodeMessage(List<PartInfo> parts) {
    int size = 0;
    for (PartInfo p : parts) {
      size += PART_FIXED + p.mimePath().getBytes(StandardCharsets.UTF_8).length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    for (PartInfo p : parts) {
      ContentKey root = p.ref().root();
      byte[] path = p.mimePath().getBytes(StandardCharsets.UTF_8);
      b.put((byte) p.role().code())
          .put((byte) root.kind().code())
          .putLong(root.length())
          .put(root.id().toBytes())
          .put(root.key())
          .put((byte) path.length)
          .put(path);
    }
    return CanonicalWriter.start(MESSAGE_CONTEXT, 1).bytes(1, b.array()).toByteArray();
  }

  static List<PartInfo> decodeMessage(byte[] plain) throws CryptoFormatException {
    CanonicalReader r = CanonicalReader.open(plain, MESSAGE_CONTEXT, 1);
    byte[] all =
        r.bytes(1, PART_FIXED, MessageStore.MAX_PARTS * (PART_FIXED + PartInfo.MAX_MIME_PATH));
    r.end();
    ByteBuffer b = ByteBuffer.wrap(all);
    List<PartInfo> parts = new ArrayList<>();
    while (b.hasRemaining()) {
      if (b.remaining() < PART_FIXED || parts.size() == MessageStore.MAX_PARTS) {
        throw new CryptoFormatException("message block part list is malformed");
      }
      PartRole role = PartRole.ofCode(b.get() & 0xFF);
      if (role == null) {
        throw new CryptoFormatException("message block names an unknown part role");
      }
      ContentKey.Kind kind = ContentKey.Kind.ofCode(b.get() & 0xFF);
      long length = b.getLong();
      byte[] id = new byte[32];
      byte[] key = new byte[32];
      b.get(id).get(key);
      int pathLen = b.get() & 0xFF;
      if (length < 0
          || pathLen > PartInfo.MAX_MIME_PATH
          || pathLen > b.remaining()
          || (kind == ContentKey.Kind.DATA) != (length <= LEAF)) {
        throw new CryptoFormatException("message block part " + parts.size() + " is malformed");
      }
      byte[] path = new byte[pathLen];
      b.get(path);
      String mimePath;
      try {
        mimePath = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(path)).toString();
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new CryptoFormatException("message block part path is not UTF-8");
      }
      parts.add(
          new PartInfo(
              parts.size(),
              role,
              mimePath,
              new PartRef(new ContentKey(BlockId.fromBytes(id), key, kind, length))));
    }
    return parts;
  }
}
