package org.epost.crypto.content;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;

/**
 * The plaintext of a manifest block: context {@code "epost/chk-manifest"}, version 1, field 1 total
 * length (u64), field 2 the chunks as fixed 68-byte entries (32-byte id, 32-byte key, 4-byte
 * length). Every chunk but the last is exactly {@link ConvergentEncryption#CHUNK_SIZE}.
 */
final class Manifest {
  static final String CONTEXT = "epost/chk-manifest";
  static final int ENTRY = 32 + 32 + 4;

  private final byte[] entries;
  private final int count;

  private Manifest(byte[] entries) {
    this.entries = entries;
    this.count = entries.length / ENTRY;
  }

  int size() {
    return count;
  }

  ContentKey chunk(int i) throws CryptoFormatException {
    int at = i * ENTRY;
    BlockId id = BlockId.fromBytes(Arrays.copyOfRange(entries, at, at + 32));
    byte[] key = Arrays.copyOfRange(entries, at + 32, at + 64);
    int len = ByteBuffer.wrap(entries, at + 64, 4).getInt();
    return new ContentKey(id, key, ContentKey.Kind.DATA, len);
  }

  static Manifest decode(byte[] plain, long expectedLength) throws CryptoFormatException {
    CanonicalReader r = CanonicalReader.open(plain, CONTEXT, 1);
    long total = r.u64(1);
    byte[] entries = r.bytes(2, 2 * ENTRY, ConvergentEncryption.MAX_CHUNKS * ENTRY);
    r.end();
    if (entries.length % ENTRY != 0) {
      throw new CryptoFormatException("manifest entries are not whole");
    }
    if (total != expectedLength) {
      throw new CryptoFormatException(
          "manifest length " + total + " differs from the key's " + expectedLength);
    }
    Manifest m = new Manifest(entries);
    long sum = 0;
    ByteBuffer b = ByteBuffer.wrap(entries);
    for (int i = 0; i < m.count; i++) {
      int len = b.getInt(i * ENTRY + 64);
      boolean last = i == m.count - 1;
      if (len < 1
          || len > ConvergentEncryption.CHUNK_SIZE
          || (!last && len != ConvergentEncryption.CHUNK_SIZE)) {
        throw new CryptoFormatException("manifest chunk " + i + " has bad length " + len);
      }
      sum += len;
    }
    if (sum != total) {
      throw new CryptoFormatException("manifest chunk lengths do not add up");
    }
    return m;
  }

  /** Accumulates chunk keys during encryption. */
  static final class Builder {
    private final ByteArrayOutputStream entries = new ByteArrayOutputStream();
    private int count;
    private long total;

    void add(ContentKey chunk) {
      entries.writeBytes(chunk.id().toBytes());
      entries.writeBytes(chunk.key());
      entries.writeBytes(ByteBuffer.allocate(4).putInt((int) chunk.length()).array());
      count++;
      total += chunk.length();
    }

    int size() {
      return count;
    }

    long totalLength() {
      return total;
    }

    byte[] encode() {
      return CanonicalWriter.start(CONTEXT, 1)
          .u64(1, total)
          .bytes(2, entries.toByteArray())
          .toByteArray();
    }
  }
}
