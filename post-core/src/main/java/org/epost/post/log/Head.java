package org.epost.post.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.SignedObject;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.crypto.primitives.Sha256;

/**
 * A log's signed head, decoded. The PAST mutable object's signed sequence is the head's {@code
 * version} (one more per head write); the payload after PAST's signed expiry is this encoding:
 *
 * <p>context {@code "epost/log-head"} v1 (the format version), 1 writing device id (text), 2 the
 * writer's session nonce (16), 3 wall time of the write (u64 ms), 4 sequence: number of operations
 * (u64), 5 chain tip: id of the newest entry block (0 or 32 bytes), 6 the entry blocks since the
 * newest snapshot, oldest first (44 bytes each: id, first operation u64, count u32), 7 the key of
 * the newest snapshot's block tree, sealed (empty when there is none; ADR 0102 amended), 8 the
 * number of operations it covers (u64), 9 the inline tail: the operations after the listed blocks,
 * sealed (empty when there are none).
 */
record Head(
    long version,
    String device,
    byte[] session,
    long wallMillis,
    long sequence,
    byte[] tip,
    List<BlockRef> blocks,
    byte[] snapshotRoot,
    long snapshotSequence,
    byte[] tail,
    SignedObject signed) {
  static final int SESSION_BYTES = 16;

  /** Bound of field 7, a sealed content key (about 130 bytes). */
  static final int MAX_SEALED_ROOT = 256;

  private static final String CONTEXT = "epost/log-head";

  /** One entry block listed by a head. */
  record BlockRef(byte[] id, long first, int count) {}

  /** The head of a log never written: version 0, nothing in it. */
  static Head empty(String device) {
    return new Head(
        0, device, new byte[0], 0, 0, new byte[0], List.of(), new byte[0], 0, new byte[0], null);
  }

  boolean isEmpty() {
    return version == 0;
  }

  /** Number of the first operation of the inline tail. */
  long tailFirst() {
    long n = snapshotSequence;
    for (BlockRef b : blocks) {
      n += b.count;
    }
    return n;
  }

  byte[] encodePayload() {
    ByteBuffer refs = ByteBuffer.allocate(44 * blocks.size());
    for (BlockRef b : blocks) {
      refs.put(b.id).putLong(b.first).putInt(b.count);
    }
    return CanonicalWriter.start(CONTEXT, 1)
        .text(1, device)
        .bytes(2, session)
        .u64(3, wallMillis)
        .u64(4, sequence)
        .bytes(5, tip)
        .bytes(6, refs.array())
        .bytes(7, snapshotRoot)
        .u64(8, snapshotSequence)
        .bytes(9, tail)
        .toByteArray();
  }

  /** Decodes a verified signed object's PAST data (the bytes after the signed expiry). */
  static Head decode(SignedObject signed, byte[] data) throws CryptoException {
    CanonicalReader r = CanonicalReader.open(data, CONTEXT, 1);
    String device = r.text(1, 1, 24);
    byte[] session = r.bytes(2, SESSION_BYTES);
    long wall = r.u64(3);
    long sequence = r.u64(4);
    byte[] tip = r.bytes(5, 0, 32);
    byte[] refs = r.bytes(6, 0, 44 * LogConfig.MAX_LISTED_BLOCKS);
    byte[] root = r.bytes(7, 0, MAX_SEALED_ROOT);
    long snapSeq = r.u64(8);
    byte[] tail = r.bytes(9, 0, 32 * 1024);
    r.end();
    if ((tip.length != 0 && tip.length != 32) || refs.length % 44 != 0) {
      throw new CryptoFormatException("malformed log head");
    }
    List<BlockRef> blocks = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(refs);
    long expect = snapSeq;
    while (b.hasRemaining()) {
      byte[] id = new byte[32];
      b.get(id);
      long first = b.getLong();
      int count = b.getInt();
      if (first != expect || count <= 0) {
        throw new CryptoFormatException("log head's blocks are not contiguous");
      }
      expect += count;
      blocks.add(new BlockRef(id, first, count));
    }
    if (sequence < 0 || snapSeq < 0 || expect > sequence || (root.length == 0 && snapSeq != 0)) {
      throw new CryptoFormatException("log head's counts do not add up");
    }
    if (!blocks.isEmpty() && !Arrays.equals(tip, blocks.get(blocks.size() - 1).id)) {
      throw new CryptoFormatException("log head's chain tip is not its newest block");
    }
    if ((sequence > expect) != (tail.length > 0)) {
      throw new CryptoFormatException("log head's tail does not match its sequence");
    }
    return new Head(
        signed.sequence(),
        device,
        session,
        wall,
        sequence,
        tip,
        blocks,
        root,
        snapSeq,
        tail,
        signed);
  }

  /** SHA-256 of the signed encoding: what a high-water mark records. */
  byte[] hash() {
    return signed == null ? new byte[32] : Sha256.hash(signed.encode());
  }

  /** The entry block format: plaintext of an {@link LogCrypto#ENTRY} block. */
  static byte[] encodeEntry(String device, byte[] prev, long first, List<byte[]> ops) {
    return CanonicalWriter.start("epost/log-entry", 1)
        .text(1, device)
        .bytes(2, prev)
        .u64(3, first)
        .bytes(4, Operations.encode(ops))
        .toByteArray();
  }

  /** A decoded entry block. */
  record Entry(String device, byte[] prev, long first, List<byte[]> ops) {}

  static Entry decodeEntry(byte[] plaintext, int maxOp) throws CryptoException {
    CanonicalReader r = CanonicalReader.open(plaintext, "epost/log-entry", 1);
    String device = r.text(1, 1, 24);
    byte[] prev = r.bytes(2, 0, 32);
    long first = r.u64(3);
    byte[] ops = r.bytes(4, 4, plaintext.length);
    r.end();
    if (prev.length != 0 && prev.length != 32) {
      throw new CryptoFormatException("malformed previous-block id");
    }
    return new Entry(device, prev, first, Operations.decode(ops, maxOp));
  }
}
