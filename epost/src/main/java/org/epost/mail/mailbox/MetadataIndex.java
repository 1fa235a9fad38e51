package org.epost.mail.mailbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.primitives.AesGcm;
import org.epost.crypto.primitives.Hkdf;
import org.epost.crypto.primitives.Sha256;
import org.epost.mail.message.MessageLayout;
import org.epost.post.api.MessageRef;
import org.epost.post.disk.AtomicFiles;

/**
 * The account's metadata index on the user's disk: per message, keyed by its reference, the
 * message's {@code STRUCTURE} part (size, segments, MIME structure), so that listings, ENVELOPE,
 * BODYSTRUCTURE and header searches after a restart touch no network.
 *
 * <p>One append-only file of records, each {@code [u32 length][12-byte nonce][AES-GCM ciphertext]}
 * under a key derived with HKDF from the user's signing seed (so the file is worthless without the
 * user's key file); the plaintext is the SHA-256 of the reference's encoding and the layout. On
 * open the file is read once; a torn or unauthenticated record ends it (a crash mid-append) and the
 * file is cut there. Bounded: at most {@code maxEntries} live entries, the least recently used
 * leave (and are read from the ring again when needed); the file is compacted (written aside,
 * forced, renamed: {@link AtomicFiles}) when dead records outweigh live ones. Losing the file loses
 * nothing: it is rebuilt from the {@code STRUCTURE} parts as messages are listed.
 *
 * <p>Thread-safe: every method holds this object's lock (a leaf lock, held across this file's own
 * I/O only, never while calling the ring or the account).
 */
final class MetadataIndex implements AutoCloseable {
  private static final byte[] AAD = "epost/mail-index/v1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_RECORD = MessageLayout.MAX_ENCODED_BYTES + 64;

  private final Path file;
  private final byte[] key;
  private final int maxEntries;
  private final SecureRandom random = new SecureRandom();
  private final LinkedHashMap<String, long[]> entries; // key hex -> {offset, length}
  private FileChannel channel;
  private long size;
  private long liveBytes;

  private MetadataIndex(Path file, byte[] key, int maxEntries) {
    this.file = file;
    this.key = key;
    this.maxEntries = maxEntries;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            if (size() > MetadataIndex.this.maxEntries) {
              liveBytes -= eldest.getValue()[1];
              return true;
            }
            return false;
          }
        };
  }

  /** The index key of {@code identity}: HKDF-SHA256 of its signing seed. */
  static byte[] deriveKey(UserIdentity identity) {
    byte[] seed = identity.signing().exportSeed();
    try {
      return Hkdf.derive(
          "epost/mail".getBytes(StandardCharsets.US_ASCII),
          seed,
          "metadata index v1".getBytes(StandardCharsets.US_ASCII),
          AesGcm.KEY_LENGTH);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /** Opens (or creates, owner-only) the index file in {@code dir}. Blocking disk I/O. */
  static MetadataIndex open(Path dir, byte[] key, int maxEntries) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("metadata.idx");
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    MetadataIndex index = new MetadataIndex(file, key, maxEntries);
    index.load();
    return index;
  }

  private static String keyOf(MessageRef ref) {
    return HexFormat.of().formatHex(Sha256.hash(ref.encode()));
  }

  private void load() throws IOException {
    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    long pos = 0;
    long end = channel.size();
    ByteBuffer len = ByteBuffer.allocate(4);
    while (pos + 4 <= end) {
      len.clear();
      channel.read(len, pos);
      int n = len.flip().getInt();
      if (n < AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH + 32 || n > MAX_RECORD || pos + 4 + n > end) {
        break;
      }
      byte[] plain = decrypt(pos, n);
      if (plain == null) {
        break;
      }
      String k = HexFormat.of().formatHex(plain, 0, 32);
      long[] old = entries.put(k, new long[] {pos, 4 + n});
      if (old != null) {
        liveBytes -= old[1];
      }
      liveBytes += 4 + n;
      pos += 4 + n;
    }
    if (pos < end) {
      channel.truncate(pos); // a torn or damaged tail: what follows it is lost, not trusted
    }
    size = pos;
  }

  private byte[] decrypt(long pos, int n) throws IOException {
    ByteBuffer rec = ByteBuffer.allocate(n);
    while (rec.hasRemaining()) {
      if (channel.read(rec, pos + 4 + rec.position()) < 0) {
        return null;
      }
    }
    byte[] r = rec.array();
    try {
      return AesGcm.decrypt(
          key,
          Arrays.copyOf(r, AesGcm.NONCE_LENGTH),
          AAD,
          Arrays.copyOfRange(r, AesGcm.NONCE_LENGTH, n));
    } catch (VerificationException e) {
      return null;
    }
  }

  /** The layout recorded for {@code ref}, or null. A damaged record reads as absent. */
  synchronized MessageLayout get(MessageRef ref) {
    long[] at = entries.get(keyOf(ref));
    if (at == null || channel == null) {
      return null;
    }
    try {
      byte[] plain = decrypt(at[0], (int) at[1] - 4);
      if (plain == null) {
        entries.remove(keyOf(ref));
        return null;
      }
      return MessageLayout.decode(Arrays.copyOfRange(plain, 32, plain.length));
    } catch (IOException | IllegalArgumentException e) {
      entries.remove(keyOf(ref));
      return null;
    }
  }

  /** Whether {@code ref} is indexed. */
  synchronized boolean contains(MessageRef ref) {
    return entries.containsKey(keyOf(ref));
  }

  /** Records {@code layout} for {@code ref} (appends; compacts when the file is mostly dead). */
  synchronized void put(MessageRef ref, MessageLayout layout) {
    if (channel == null) {
      return;
    }
    String k = keyOf(ref);
    if (entries.containsKey(k)) {
      return;
    }
    byte[] enc = layout.encode();
    byte[] plain = new byte[32 + enc.length];
    System.arraycopy(HexFormat.of().parseHex(k), 0, plain, 0, 32);
    System.arraycopy(enc, 0, plain, 32, enc.length);
    byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
    random.nextBytes(nonce);
    byte[] sealed = AesGcm.encrypt(key, nonce, AAD, plain);
    ByteBuffer rec = ByteBuffer.allocate(4 + nonce.length + sealed.length);
    rec.putInt(nonce.length + sealed.length).put(nonce).put(sealed).flip();
    try {
      long at = size;
      while (rec.hasRemaining()) {
        channel.write(rec, at + rec.position());
      }
      size += rec.limit();
      entries.put(k, new long[] {at, rec.limit()});
      liveBytes += rec.limit();
      if (size > (1 << 20) && size > 3 * liveBytes) {
        compact();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing the metadata index " + file, e);
    }
  }

  /** Live entries. */
  synchronized int size() {
    return entries.size();
  }

  /**
   * Writes the live records into a new file that replaces this one atomically ({@link
   * AtomicFiles}); the entries' offsets change only once the new file is in place, so a failure
   * leaves the index as it was.
   */
  private void compact() throws IOException {
    Map<long[], Long> moved = new java.util.IdentityHashMap<>();
    long[] total = new long[1];
    AtomicFiles.replace(
        file,
        true,
        out -> {
          for (long[] at : entries.values()) {
            ByteBuffer b = ByteBuffer.allocate((int) at[1]);
            while (b.hasRemaining()) {
              if (channel.read(b, at[0] + b.position()) < 0) {
                throw new java.io.EOFException("the metadata index " + file + " ends early");
              }
            }
            b.flip();
            while (b.hasRemaining()) {
              out.write(b);
            }
            moved.put(at, total[0]);
            total[0] += at[1];
          }
        });
    channel.close();
    channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    moved.forEach((at, pos) -> at[0] = pos);
    size = total[0];
    liveBytes = total[0];
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing to flush: the index is rebuilt from the ring if a record is lost
      }
      channel = null;
    }
  }
}
