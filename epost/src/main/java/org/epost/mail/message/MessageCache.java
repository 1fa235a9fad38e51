package org.epost.mail.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.primitives.AesGcm;
import org.epost.crypto.primitives.Hkdf;
import org.epost.crypto.primitives.Sha256;
import org.epost.post.api.MessageRef;

/**
 * The account's encrypted local copy of recent messages (ADR 0112), so reading them does not go to
 * the ring: one file per stored message (named by the SHA-256 of its reference) holding its RFC
 * 5322 bytes in 64 KiB chunks, each sealed with AES-256-GCM under a key of its own file ({@code
 * HKDF(master, salt)}), nonce = chunk number, associated data = the reference's hash and whether
 * the chunk is the last: a file swapped for another message's, cut, or changed reads as absent.
 *
 * <p>Bounded: at most {@code maxBytes} of files; the least recently used leave first (at startup,
 * by modification time). An evicted or damaged message is simply read from the ring again, where it
 * is verified as always. Threading: any thread; the map of entries is under this object's lock (a
 * leaf lock; file I/O of a read happens outside it).
 */
public final class MessageCache {
  static final int CHUNK = 64 * 1024;
  private static final int SALT = 16;
  private static final int SEALED = CHUNK + AesGcm.TAG_LENGTH;

  private final Path dir;
  private final byte[] master;
  private final long maxBytes;
  private final SecureRandom random = new SecureRandom();
  private final LinkedHashMap<String, Long> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  private MessageCache(Path dir, byte[] master, long maxBytes) {
    this.dir = dir;
    this.master = master.clone();
    this.maxBytes = maxBytes;
  }

  /** Opens the cache in {@code dir} (owner-only), forgetting unfinished files. Blocking I/O. */
  public static MessageCache open(Path dir, byte[] master, long maxBytes) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    MessageCache c = new MessageCache(dir, master, maxBytes);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(files::add);
    }
    List<Object[]> found = new ArrayList<>();
    for (Path p : files) {
      String n = p.getFileName().toString();
      if (!n.endsWith(".m")) {
        Files.deleteIfExists(p); // an interrupted write
        continue;
      }
      found.add(new Object[] {n.substring(0, n.length() - 2), Files.size(p), mtime(p)});
    }
    found.sort((a, b) -> ((FileTime) a[2]).compareTo((FileTime) b[2]));
    synchronized (c) {
      for (Object[] f : found) {
        c.entries.put((String) f[0], (Long) f[1]);
        c.bytes += (Long) f[1];
      }
      c.evict();
    }
    return c;
  }

  private static FileTime mtime(Path p) throws IOException {
    return Files.getLastModifiedTime(p);
  }

  private static String keyOf(MessageRef ref) {
    return HexFormat.of().formatHex(Sha256.hash(ref.encode()));
  }

  private Path file(String key) {
    return dir.resolve(key + ".m");
  }

  /** Bytes held. */
  public synchronized long bytes() {
    return bytes;
  }

  /** Messages held. */
  public synchronized int size() {
    return entries.size();
  }

  /** Whether the message is held (does not count as a use). */
  public synchronized boolean contains(MessageRef ref) {
    return entries.containsKey(keyOf(ref));
  }

  /**
   * Stores the message's {@code size} bytes from {@code content} (written aside, then renamed), and
   * evicts the least recently used beyond the bound. A message larger than a quarter of the bound
   * is not kept.
   */
  public void put(MessageRef ref, InputStream content, long size) throws IOException {
    if (size > maxBytes / 4) {
      return;
    }
    String key = keyOf(ref);
    byte[] refHash = HexFormat.of().parseHex(key);
    byte[] salt = new byte[SALT];
    random.nextBytes(salt);
    byte[] fileKey = fileKey(salt);
    Path tmp = Files.createTempFile(dir, "put-", ".tmp", owner());
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        out.write(salt);
        byte[] chunk = new byte[CHUNK];
        byte[] sealed = new byte[SEALED];
        long chunks = (size + CHUNK - 1) / CHUNK;
        for (long i = 0; i < Math.max(1, chunks); i++) {
          int n = (int) Math.min(CHUNK, size - i * CHUNK);
          int got = content.readNBytes(chunk, 0, n);
          if (got != n) {
            throw new IOException("the message ended after " + (i * CHUNK + got) + " bytes");
          }
          int s =
              AesGcm.encrypt(
                  fileKey,
                  nonce(i),
                  aad(refHash, i == Math.max(1, chunks) - 1),
                  chunk,
                  0,
                  n,
                  sealed,
                  0);
          out.write(sealed, 0, s);
        }
      }
      long stored = Files.size(tmp);
      Files.move(
          tmp, file(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      synchronized (this) {
        Long old = entries.put(key, stored);
        bytes += stored - (old == null ? 0 : old);
        evict();
      }
    } finally {
      Arrays.fill(fileKey, (byte) 0);
      Files.deleteIfExists(tmp);
    }
  }

  private static java.nio.file.attribute.FileAttribute<?> owner() {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  }

  private void evict() {
    Iterator<Map.Entry<String, Long>> it = entries.entrySet().iterator();
    while (bytes > maxBytes && it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      it.remove();
      bytes -= e.getValue();
      try {
        Files.deleteIfExists(file(e.getKey()));
      } catch (IOException x) {
        // left behind; forgotten here, found again (and bounded) at the next open
      }
    }
  }

  private synchronized void forget(String key) {
    Long old = entries.remove(key);
    if (old != null) {
      bytes -= old;
    }
    try {
      Files.deleteIfExists(file(key));
    } catch (IOException e) {
      // see evict
    }
  }

  /**
   * A stream of {@code [offset, offset + length)} of the held message of {@code size} bytes, or
   * null if it is not held. A chunk that fails authentication ends the stream with an IOException
   * and the file is dropped.
   */
  public InputStream open(MessageRef ref, long size, long offset, long length) throws IOException {
    byte[] refHash = Sha256.hash(ref.encode());
    String key = HexFormat.of().formatHex(refHash);
    synchronized (this) {
      if (entries.get(key) == null) {
        return null;
      }
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(file(key), StandardOpenOption.READ);
    } catch (java.nio.file.NoSuchFileException e) {
      forget(key);
      return null;
    }
    try {
      ByteBuffer salt = ByteBuffer.allocate(SALT);
      while (salt.hasRemaining() && ch.read(salt, salt.position()) > 0) {}
      long expect = SALT + size + Math.max(1, (size + CHUNK - 1) / CHUNK) * AesGcm.TAG_LENGTH;
      if (salt.hasRemaining() || ch.size() != expect) {
        ch.close();
        forget(key);
        return null;
      }
      Reader r = new Reader(ch, key, refHash, fileKey(salt.array()), size, offset, length);
      try {
        r.first(); // a damaged first chunk reads as absent: the caller goes to the ring
      } catch (IOException e) {
        r.close();
        return null;
      }
      return r;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private byte[] fileKey(byte[] salt) {
    return Hkdf.derive(
        salt, master, "epost/message cache file".getBytes(StandardCharsets.US_ASCII), 32);
  }

  private static byte[] nonce(long chunk) {
    return ByteBuffer.allocate(AesGcm.NONCE_LENGTH).putLong(4, chunk).array();
  }

  private static byte[] aad(byte[] refHash, boolean last) {
    byte[] a = Arrays.copyOf(refHash, refHash.length + 1);
    a[refHash.length] = (byte) (last ? 1 : 0);
    return a;
  }

  private final class Reader extends InputStream {
    private final FileChannel ch;
    private final String key;
    private final byte[] fileKey;
    private final byte[] refHash;
    private final long size;
    private final long chunks;
    private long pos;
    private final long end;
    private final byte[] plain = new byte[CHUNK];
    private final ByteBuffer sealed = ByteBuffer.allocate(SEALED);
    private long loaded = -1;
    private int plainLen;

    Reader(
        FileChannel ch,
        String key,
        byte[] refHash,
        byte[] fileKey,
        long size,
        long offset,
        long length) {
      this.ch = ch;
      this.key = key;
      this.fileKey = fileKey;
      this.refHash = refHash;
      this.size = size;
      this.chunks = Math.max(1, (size + CHUNK - 1) / CHUNK);
      this.pos = Math.min(offset, size);
      this.end = Math.min(size, pos + Math.min(length, Long.MAX_VALUE - pos));
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos >= end) {
        return -1;
      }
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
      long c = pos / CHUNK;
      if (c != loaded) {
        load(c);
      }
      int at = (int) (pos - c * CHUNK);
      int n = (int) Math.min(Math.min(len, plainLen - at), end - pos);
      System.arraycopy(plain, at, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return loaded == pos / CHUNK
          ? (int) Math.min(plainLen - (pos - loaded * CHUNK), end - pos)
          : 0;
    }

    void first() throws IOException {
      if (pos < end) {
        load(pos / CHUNK);
      }
    }

    private void load(long c) throws IOException {
      int n = (int) Math.min(CHUNK, size - c * CHUNK);
      sealed.clear().limit(n + AesGcm.TAG_LENGTH);
      long at = SALT + c * SEALED;
      while (sealed.hasRemaining()) {
        if (ch.read(sealed, at + sealed.position()) < 0) {
          forget(key);
          throw new IOException("a cached message file ends early");
        }
      }
      try {
        plainLen =
            AesGcm.decrypt(
                fileKey,
                nonce(c),
                aad(refHash, c == chunks - 1),
                sealed.array(),
                0,
                n + AesGcm.TAG_LENGTH,
                plain,
                0);
      } catch (VerificationException e) {
        forget(key);
        throw new IOException("a cached message file fails authentication; dropped");
      }
      loaded = c;
    }

    @Override
    public void close() throws IOException {
      Arrays.fill(fileKey, (byte) 0);
      ch.close();
    }
  }
}
