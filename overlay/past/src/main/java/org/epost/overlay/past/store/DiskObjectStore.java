package org.epost.overlay.past.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;

/**
 * The product's {@link ObjectStore}: one file per object under {@code objects/xx/<id>.obj}.
 *
 * <p>Crash safety: a write goes to {@code tmp/}, is fsynced, then renamed atomically over the final
 * name, and the directory is fsynced; so after a crash (even SIGKILL mid-write) a final file is
 * either the old complete object or the new complete one. Temporary files are deleted at open.
 * Every file carries a CRC-32C over header and bytes; a file that fails it (disk corruption) reads
 * as absent and is deleted, so repair fetches a good copy. Never serves half-written bytes.
 *
 * <p>File format (version 2): "PAST" | version (1) | kind (1) | id (20) | expiry (8) | sequence (8)
 * | length (4) | bytes | CRC-32C (4) of everything before it. The expiry is a wall time in
 * milliseconds since the epoch (ADR 0092). Version 1 had the same layout with expiries in the
 * writing process's monotonic time, meaningless after a restart: a store holding a version-1 file
 * refuses to open ({@link PastException.StorageException} saying so) rather than guess; there is no
 * migration.
 *
 * <p>Bounded: total file bytes never exceed the quota ({@link PastException.QuotaExceededException}
 * otherwise); a read cache keeps recently read objects up to a byte bound. Thread-safe (one lock):
 * called from PAST's storage executor, never from the event loop.
 */
public final class DiskObjectStore implements ObjectStore {
  static final int MAGIC = 0x50415354; // "PAST"
  static final int VERSION = 2;
  static final int HEADER = 4 + 1 + 1 + Id.BYTES + 8 + 8 + 4;
  static final int TRAILER = 4;

  private final Path objectsDir;
  private final Path tmpDir;
  private final long quotaBytes;
  private final ReadCache cache;
  private final TreeMap<Id, Meta> index = new TreeMap<>();
  private long used;
  private long tmpCounter;

  private record Meta(ObjectKind kind, int size, long expiry, long sequence) {}

  private DiskObjectStore(Path dir, long quotaBytes, long cacheBytes) {
    this.objectsDir = dir.resolve("objects");
    this.tmpDir = dir.resolve("tmp");
    this.quotaBytes = quotaBytes;
    this.cache = new ReadCache(cacheBytes);
  }

  /**
   * Opens (creating if needed) the store in {@code dir}: deletes leftover temporary files, drops
   * files whose header is invalid, and indexes the rest.
   *
   * @param quotaBytes most file bytes the store may use
   * @param cacheBytes most object bytes the read cache keeps
   * @throws PastException.StorageException if the directory cannot be created or read
   */
  public static DiskObjectStore open(Path dir, long quotaBytes, long cacheBytes) {
    if (quotaBytes <= 0 || cacheBytes < 0) {
      throw new IllegalArgumentException("quota must be positive and cache non-negative");
    }
    DiskObjectStore store = new DiskObjectStore(dir, quotaBytes, cacheBytes);
    try {
      store.recover();
    } catch (IOException e) {
      throw new PastException.StorageException(
          "cannot open the object store in " + dir + ": " + e, e);
    }
    return store;
  }

  private void recover() throws IOException {
    Files.createDirectories(objectsDir);
    Files.createDirectories(tmpDir);
    try (DirectoryStream<Path> tmp = Files.newDirectoryStream(tmpDir)) {
      for (Path p : tmp) {
        Files.deleteIfExists(p); // an interrupted write: never renamed, never acknowledged
      }
    }
    try (DirectoryStream<Path> fans = Files.newDirectoryStream(objectsDir)) {
      for (Path fan : fans) {
        if (!Files.isDirectory(fan)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(fan, "*.obj")) {
          for (Path f : files) {
            indexFile(f);
          }
        }
      }
    }
  }

  private void indexFile(Path f) throws IOException {
    long fileSize = Files.size(f);
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      while (header.hasRemaining() && ch.read(header) >= 0) {
        // fill the header
      }
    }
    header.flip();
    Header h = Header.parse(header);
    if (h == null && otherVersion(f, header)) {
      throw new PastException.StorageException(
          f
              + " is an object file of format version "
              + header.get(4)
              + ", this store reads version "
              + VERSION
              + " only (version 1 held lease expiries in process-relative time, which a restart"
              + " makes meaningless; ADR 0092). There is no migration: move the store directory"
              + " away and start with an empty one (its objects come back from their other"
              + " replicas)",
          null);
    }
    if (h == null
        || fileSize != HEADER + (long) h.length + TRAILER
        || !f.getFileName().toString().equals(h.id.toHex() + ".obj")) {
      Files.deleteIfExists(f); // not one of ours, or damaged beyond use
      return;
    }
    index.put(h.id, new Meta(h.kind, h.length, h.expiry, h.sequence));
    used += fileSize;
  }

  /**
   * Whether {@code f}, whose header did not parse, is a whole, undamaged object file of another
   * format version (its CRC matches): a store of another version, not a damaged file to delete.
   */
  private static boolean otherVersion(Path f, ByteBuffer header) throws IOException {
    if (header.limit() < 5 || header.getInt(0) != MAGIC || header.get(4) == VERSION) {
      return false;
    }
    byte[] all = Files.readAllBytes(f);
    if (all.length < HEADER + TRAILER) {
      return false;
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - TRAILER);
    return (int) crc.getValue() == ByteBuffer.wrap(all, all.length - TRAILER, TRAILER).getInt();
  }

  @Override
  public synchronized PutResult put(PastObject object) {
    Meta current = index.get(object.id());
    if (current != null
        && (object.kind() == ObjectKind.IMMUTABLE || object.sequence() <= current.sequence())) {
      return PutResult.ALREADY_PRESENT;
    }
    long fileBytes = fileBytes(object.size());
    long after = used - (current == null ? 0 : fileBytes(current.size())) + fileBytes;
    if (after > quotaBytes) {
      throw new PastException.QuotaExceededException(
          "object store full: "
              + used
              + " of "
              + quotaBytes
              + " bytes used, object "
              + object.id()
              + " needs "
              + fileBytes);
    }
    write(object);
    index.put(
        object.id(),
        new Meta(object.kind(), object.size(), object.expiryMillis(), object.sequence()));
    used = after;
    cache.remove(object.id());
    return PutResult.STORED;
  }

  @Override
  public synchronized PastObject get(Id id) {
    Meta meta = index.get(id);
    if (meta == null) {
      return null;
    }
    PastObject cached = cache.get(id);
    if (cached != null) {
      return cached;
    }
    Path f = pathOf(id);
    byte[] all;
    try {
      all = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      forget(id, meta);
      return null;
    } catch (IOException e) {
      throw new PastException.StorageException("cannot read " + f + ": " + e, e);
    }
    PastObject object = decodeFile(all, id);
    if (object == null) {
      forget(id, meta);
      try {
        Files.deleteIfExists(f);
      } catch (IOException e) {
        throw new PastException.StorageException("cannot delete corrupted " + f + ": " + e, e);
      }
      return null;
    }
    cache.put(object);
    return object;
  }

  @Override
  public synchronized boolean setExpiry(Id id, long expiryMillis) {
    PastObject current = get(id);
    if (current == null || current.kind() != ObjectKind.IMMUTABLE) {
      return false;
    }
    PastObject renewed = current.withExpiry(expiryMillis);
    write(renewed);
    index.put(id, new Meta(renewed.kind(), renewed.size(), expiryMillis, 0));
    cache.put(renewed);
    return true;
  }

  @Override
  public synchronized boolean delete(Id id) {
    Meta meta = index.get(id);
    if (meta == null) {
      return false;
    }
    try {
      Files.deleteIfExists(pathOf(id));
    } catch (IOException e) {
      throw new PastException.StorageException("cannot delete " + pathOf(id) + ": " + e, e);
    }
    forget(id, meta);
    return true;
  }

  @Override
  public synchronized List<Entry> entries() {
    List<Entry> out = new ArrayList<>(index.size());
    for (Map.Entry<Id, Meta> e : index.entrySet()) {
      out.add(
          new Entry(e.getKey(), e.getValue().kind(), e.getValue().size(), e.getValue().expiry()));
    }
    return out;
  }

  @Override
  public synchronized long usedBytes() {
    return used;
  }

  @Override
  public long quotaBytes() {
    return quotaBytes;
  }

  /** Bytes the read cache holds now (for tests of its bound). */
  public synchronized long cachedBytes() {
    return cache.bytes();
  }

  /** The file an object lives in. */
  Path pathOf(Id id) {
    String hex = id.toHex();
    return objectsDir.resolve(hex.substring(0, 2)).resolve(hex + ".obj");
  }

  static long fileBytes(int objectSize) {
    return HEADER + (long) objectSize + TRAILER;
  }

  private void forget(Id id, Meta meta) {
    index.remove(id);
    used -= fileBytes(meta.size());
    cache.remove(id);
  }

  private void write(PastObject object) {
    Path target = pathOf(object.id());
    Path tmp = tmpDir.resolve(object.id().toHex() + "." + (tmpCounter++) + ".tmp");
    byte[] encoded = encodeFile(object);
    try {
      Files.createDirectories(target.getParent());
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(encoded);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(target.getParent());
    } catch (FileAlreadyExistsException e) {
      throw new PastException.StorageException("temporary file " + tmp + " already exists", e);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the next open deletes it
      }
      String reason =
          e.getMessage() != null && e.getMessage().contains("No space") ? "disk full: " : "";
      throw new PastException.StorageException(reason + "cannot write " + target + ": " + e, e);
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems refuse to open a directory; the rename is still atomic there
    }
  }

  static byte[] encodeFile(PastObject o) {
    byte[] bytes = o.bytesUnsafe();
    ByteBuffer b = ByteBuffer.allocate(HEADER + bytes.length + TRAILER);
    b.putInt(MAGIC).put((byte) VERSION).put((byte) o.kind().code());
    o.id().write(b);
    b.putLong(o.expiryMillis()).putLong(Math.max(0, o.sequence())).putInt(bytes.length).put(bytes);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** The object in a file's bytes, or null if the file is damaged or not the object {@code id}. */
  static PastObject decodeFile(byte[] all, Id id) {
    if (all.length < HEADER + TRAILER) {
      return null;
    }
    Header h = Header.parse(ByteBuffer.wrap(all, 0, HEADER));
    if (h == null || all.length != HEADER + h.length + TRAILER || !h.id.equals(id)) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - TRAILER);
    if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - TRAILER, TRAILER).getInt()) {
      return null;
    }
    byte[] bytes = java.util.Arrays.copyOfRange(all, HEADER, HEADER + h.length);
    PastObject o = PastObject.unverified(h.kind, h.id, bytes, h.expiry);
    try {
      return o.verify();
    } catch (PastException.InvalidObjectException e) {
      return null;
    }
  }

  private record Header(ObjectKind kind, Id id, long expiry, long sequence, int length) {
    static Header parse(ByteBuffer b) {
      if (b.remaining() < HEADER || b.getInt() != MAGIC || b.get() != VERSION) {
        return null;
      }
      ObjectKind kind = ObjectKind.ofCode(b.get());
      Id id = Id.read(b);
      long expiry = b.getLong();
      long sequence = b.getLong();
      int length = b.getInt();
      if (kind == null || length < 0 || length > PastObject.MAX_BYTES) {
        return null;
      }
      return new Header(kind, id, expiry, sequence, length);
    }
  }
}
