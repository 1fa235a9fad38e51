package org.epost.overlay.past.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A crash-safe {@link ObjectStore} that appends every write to a log of segment files and makes a
 * whole batch of writes durable with one {@code fdatasync} (group commit, ADR 0087). The product's
 * choice when writes come in bursts (a node holding replicas for many inserts at once); {@link
 * DiskObjectStore} (one file per object, ADR 0073) pays two fsyncs per object.
 *
 * <p>Layout: {@code log/<16 digits>.seg}, appended in order, at most {@code segmentBytes} each. A
 * record is "PSTL" | op (1: put, 2: expiry, 3: delete) | kind (1) | id (20) | expiry (8) | sequence
 * (8) | length (4) | bytes | CRC-32C (4) of everything before it. The in-memory index maps each id
 * to its newest put record; replaying the log in order rebuilds it.
 *
 * <p>Format version: {@code log.format}, beside {@code log/}, holds {@value #FORMAT_LINE}, written
 * (and forced) before the first segment. Version 2 stores expiries as wall times in milliseconds
 * since the epoch (ADR 0092). Version 1 had no {@code log.format} and held expiries in the writing
 * process's monotonic time, meaningless after a restart: a log with segments and no {@code
 * log.format}, or another version, refuses to open ({@link PastException.StorageException} saying
 * so) rather than guess; there is no migration.
 *
 * <p>Crash safety: a write is acknowledged only after the segment holding it was forced (at once
 * outside a batch, at {@link #commit} inside one). At open, the log is replayed in order; a record
 * whose header, length or CRC is wrong is skipped if a valid record follows it (disk corruption:
 * that object reads as absent and repair fetches it), and otherwise ends the segment: in the last
 * segment the rest is a torn tail (its sync never returned, so nothing in it was acknowledged) and
 * is truncated. A read checks the CRC and the object's own verification again (content hash or
 * owner signature), so bytes that were never a valid object are never served.
 *
 * <p>Bounded: live object bytes never exceed the quota ({@link
 * PastException.QuotaExceededException}); superseded records are reclaimed by compaction (live
 * records of sealed segments rewritten to the end, forced, old segments deleted) once they exceed
 * both the live bytes and one segment, so the files on disk stay under about twice the quota plus
 * two segments. A read cache keeps recently read objects up to a byte bound.
 *
 * <p>Thread-safe (one lock). Batches belong to the thread that began them; writes from other
 * threads are durable when they return.
 */
public final class LogObjectStore implements ObjectStore, GroupCommit, AutoCloseable {
  static final int MAGIC = 0x5053544c; // "PSTL"
  static final int PUT = 1;
  static final int EXPIRY = 2;
  static final int DELETE = 3;
  static final int HEADER = 4 + 1 + 1 + Id.BYTES + 8 + 8 + 4;
  static final int TRAILER = 4;

  /** The content of {@code log.format}: this store's format, version 2. */
  static final String FORMAT_LINE = "epost-past-log 2";

  /** Default segment size. */
  public static final long DEFAULT_SEGMENT_BYTES = 32L << 20;

  private final Path logDir;
  private final Path formatFile;
  private final long quotaBytes;
  private final long segmentBytes;
  private final ReadCache cache;
  private final TreeMap<Id, Loc> index = new TreeMap<>();
  private final TreeMap<Long, FileChannel> segments = new TreeMap<>();
  private long activeSeq = -1;
  private FileChannel active;
  private long activeSize;
  private long live;
  private long diskBytes;
  private boolean dirty;
  private Thread batchOwner;
  private long syncs;
  private long damagedSegments;
  private long damagedRecords;
  private boolean closed;

  /** Where an id's newest put record is, and the object's current metadata. */
  private record Loc(
      long segment, long offset, ObjectKind kind, int size, long expiry, long sequence) {}

  private LogObjectStore(Path dir, long quotaBytes, long segmentBytes, long cacheBytes) {
    this.logDir = dir.resolve("log");
    this.formatFile = dir.resolve("log.format");
    this.quotaBytes = quotaBytes;
    this.segmentBytes = segmentBytes;
    this.cache = new ReadCache(cacheBytes);
  }

  /**
   * Opens (creating if needed) the store in {@code dir} with {@link #DEFAULT_SEGMENT_BYTES}
   * segments.
   */
  public static LogObjectStore open(Path dir, long quotaBytes, long cacheBytes) {
    return open(dir, quotaBytes, cacheBytes, DEFAULT_SEGMENT_BYTES);
  }

  /**
   * Opens (creating if needed) the store in {@code dir}: replays the log, truncates a torn tail.
   *
   * @param quotaBytes most live object bytes (records included) the store may hold
   * @param cacheBytes most object bytes the read cache keeps
   * @param segmentBytes size at which a segment is sealed and a new one started
   * @throws PastException.StorageException if the directory cannot be created or read
   */
  public static LogObjectStore open(Path dir, long quotaBytes, long cacheBytes, long segmentBytes) {
    if (quotaBytes <= 0 || cacheBytes < 0 || segmentBytes < recordBytes(PastObject.MAX_BYTES)) {
      throw new IllegalArgumentException(
          "quota must be positive, cache non-negative, a segment must hold one object");
    }
    LogObjectStore store = new LogObjectStore(dir, quotaBytes, segmentBytes, cacheBytes);
    try {
      store.recover();
    } catch (IOException e) {
      store.close();
      throw new PastException.StorageException(
          "cannot open the object store in " + dir + ": " + e, e);
    }
    return store;
  }

  private void recover() throws IOException {
    Files.createDirectories(logDir);
    List<Long> seqs = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(logDir, "*.seg")) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        if (n.length() == 20 && n.substring(0, 16).chars().allMatch(Character::isDigit)) {
          seqs.add(Long.parseLong(n.substring(0, 16)));
        }
      }
    }
    seqs.sort(null);
    checkFormat(!seqs.isEmpty());
    for (int i = 0; i < seqs.size(); i++) {
      long seq = seqs.get(i);
      FileChannel ch =
          FileChannel.open(segmentPath(seq), StandardOpenOption.READ, StandardOpenOption.WRITE);
      segments.put(seq, ch);
      long end = replay(seq, ch);
      long size = ch.size();
      if (end < size) {
        if (i == seqs.size() - 1) {
          ch.truncate(
              end); // a torn tail: its sync never returned, so nothing in it was acknowledged
          ch.force(true);
          size = end;
        } else {
          damagedSegments++;
        }
      }
      diskBytes += size;
      if (i == seqs.size() - 1) {
        activeSeq = seq;
        active = ch;
        activeSize = size;
      }
    }
    if (active == null || activeSize >= segmentBytes) {
      startSegment(activeSeq + 1);
    }
  }

  /**
   * Checks {@code log.format}, or writes it into a new log (one without segments): a log of another
   * format version is refused, never replayed with another meaning.
   */
  private void checkFormat(boolean hasSegments) throws IOException {
    Path format = formatFile;
    String line = FORMAT_LINE + "\n";
    String raw =
        Files.exists(format)
            ? new String(Files.readAllBytes(format), java.nio.charset.StandardCharsets.UTF_8)
            : null;
    if (!hasSegments && (raw == null || line.startsWith(raw))) {
      // A new log, or one whose format write was cut short by a crash before any segment.
      try (FileChannel ch =
          FileChannel.open(
              format,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(line.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        ch.force(true);
      }
      syncDirectory(formatFile.getParent());
      return;
    }
    String found = raw == null ? "epost-past-log 1 (no log.format)" : raw.trim();
    if (!found.equals(FORMAT_LINE)) {
      throw new PastException.StorageException(
          "the object store in "
              + formatFile.getParent()
              + " has format \""
              + found
              + "\", this store reads \""
              + FORMAT_LINE
              + "\" only (version 1 held lease expiries in process-relative time, which a"
              + " restart makes meaningless; ADR 0092). There is no migration: move the store"
              + " directory away and start with an empty one (its objects come back from their"
              + " other replicas)",
          null);
    }
  }

  /**
   * Applies the valid records of one segment to the index and returns where the last one ends.
   * After a damaged record, replay resumes at the next offset where a whole valid record starts
   * (disk corruption in the middle must not cost the acknowledged records after it); if none
   * follows, what is left is a torn tail.
   */
  private long replay(long seq, FileChannel ch) throws IOException {
    long size = ch.size();
    long end = replayRun(seq, ch, 0, size);
    while (end < size) {
      long next = nextValidRecord(ch, end + 1, size);
      if (next < 0) {
        break;
      }
      damagedRecords++;
      end = replayRun(seq, ch, next, size);
    }
    return end;
  }

  /** Applies consecutive valid records from {@code pos}; returns the end of the last one. */
  private long replayRun(long seq, FileChannel ch, long from, long size) throws IOException {
    long pos = from;
    while (true) {
      byte[] rec = validRecordAt(ch, pos, size);
      if (rec == null) {
        return pos;
      }
      apply(Header.parse(ByteBuffer.wrap(rec, 0, HEADER)), seq, pos);
      pos += rec.length;
    }
  }

  /**
   * The whole record at {@code pos} if its header parses, it fits and its CRC matches; else null.
   */
  private static byte[] validRecordAt(FileChannel ch, long pos, long size) throws IOException {
    if (pos + HEADER + TRAILER > size) {
      return null;
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    readFully(ch, header, pos);
    header.flip();
    Header h = Header.parse(header);
    if (h == null || pos + recordBytes(h.length) > size) {
      return null;
    }
    byte[] rec = new byte[(int) recordBytes(h.length)];
    readFully(ch, ByteBuffer.wrap(rec), pos);
    return crcMatches(rec) ? rec : null;
  }

  /** The first offset at or after {@code from} where a valid record starts, or -1. */
  private static long nextValidRecord(FileChannel ch, long from, long size) throws IOException {
    byte[] rest = new byte[(int) Math.min(size - from, Integer.MAX_VALUE - 16)];
    readFully(ch, ByteBuffer.wrap(rest), from);
    for (int i = 0; i + 4 <= rest.length; i++) {
      if (rest[i] == 'P'
          && rest[i + 1] == 'S'
          && rest[i + 2] == 'T'
          && rest[i + 3] == 'L'
          && validRecordAt(ch, from + i, size) != null) {
        return from + i;
      }
    }
    return -1;
  }

  private void apply(Header h, long seq, long pos) {
    switch (h.op) {
      case PUT:
        {
          Loc old = index.put(h.id, new Loc(seq, pos, h.kind, h.length, h.expiry, h.sequence));
          live += recordBytes(h.length) - (old == null ? 0 : recordBytes(old.size()));
          break;
        }
      case EXPIRY:
        {
          Loc old = index.get(h.id);
          if (old != null) {
            index.put(
                h.id,
                new Loc(
                    old.segment(), old.offset(), old.kind(), old.size(), h.expiry, old.sequence()));
          }
          break;
        }
      default:
        {
          Loc old = index.remove(h.id);
          if (old != null) {
            live -= recordBytes(old.size());
          }
        }
    }
  }

  @Override
  public synchronized PutResult put(PastObject object) {
    Loc current = index.get(object.id());
    if (current != null
        && (object.kind() == ObjectKind.IMMUTABLE || object.sequence() <= current.sequence())) {
      return PutResult.ALREADY_PRESENT;
    }
    long rec = recordBytes(object.size());
    long after = live - (current == null ? 0 : recordBytes(current.size())) + rec;
    if (after > quotaBytes) {
      throw new PastException.QuotaExceededException(
          "object store full: "
              + live
              + " of "
              + quotaBytes
              + " bytes used, object "
              + object.id()
              + " needs "
              + rec);
    }
    long seq = Math.max(0, object.sequence());
    long offset =
        append(
            PUT,
            object.kind(),
            object.id(),
            object.expiryMillis(),
            seq,
            object.bytesUnsafe(),
            !inBatch());
    index.put(
        object.id(),
        new Loc(activeSeq, offset, object.kind(), object.size(), object.expiryMillis(), seq));
    live = after;
    cache.remove(object.id());
    maybeCompact();
    return PutResult.STORED;
  }

  @Override
  public synchronized PastObject get(Id id) {
    Loc loc = index.get(id);
    if (loc == null) {
      return null;
    }
    PastObject cached = cache.get(id);
    if (cached != null) {
      return cached;
    }
    PastObject object = read(id, loc);
    if (object == null) {
      index.remove(id); // damaged on disk: absent from now on, repair fetches a good copy
      live -= recordBytes(loc.size());
      return null;
    }
    cache.put(object);
    return object;
  }

  /** The object a put record holds, verified, or null if the record is damaged. */
  private PastObject read(Id id, Loc loc) {
    byte[] rec = new byte[(int) recordBytes(loc.size())];
    try {
      readFully(segments.get(loc.segment()), ByteBuffer.wrap(rec), loc.offset());
    } catch (IOException e) {
      throw new PastException.StorageException(
          "cannot read segment " + segmentPath(loc.segment()) + ": " + e, e);
    }
    Header h = Header.parse(ByteBuffer.wrap(rec, 0, HEADER));
    if (h == null
        || h.op != PUT
        || !h.id.equals(id)
        || h.length != loc.size()
        || !crcMatches(rec)) {
      return null;
    }
    byte[] bytes = java.util.Arrays.copyOfRange(rec, HEADER, HEADER + h.length);
    try {
      return PastObject.unverified(h.kind, id, bytes, loc.expiry()).verify();
    } catch (PastException.InvalidObjectException e) {
      return null;
    }
  }

  @Override
  public synchronized boolean setExpiry(Id id, long expiryMillis) {
    Loc loc = index.get(id);
    if (loc == null || loc.kind() != ObjectKind.IMMUTABLE) {
      return false;
    }
    append(EXPIRY, loc.kind(), id, expiryMillis, 0, new byte[0], !inBatch());
    index.put(
        id,
        new Loc(loc.segment(), loc.offset(), loc.kind(), loc.size(), expiryMillis, loc.sequence()));
    cache.remove(id);
    maybeCompact();
    return true;
  }

  @Override
  public synchronized boolean delete(Id id) {
    Loc loc = index.get(id);
    if (loc == null) {
      return false;
    }
    append(DELETE, loc.kind(), id, 0, 0, new byte[0], !inBatch());
    index.remove(id);
    live -= recordBytes(loc.size());
    cache.remove(id);
    maybeCompact();
    return true;
  }

  @Override
  public synchronized List<Entry> entries() {
    List<Entry> out = new ArrayList<>(index.size());
    for (Map.Entry<Id, Loc> e : index.entrySet()) {
      out.add(
          new Entry(e.getKey(), e.getValue().kind(), e.getValue().size(), e.getValue().expiry()));
    }
    return out;
  }

  @Override
  public synchronized long usedBytes() {
    return live;
  }

  @Override
  public long quotaBytes() {
    return quotaBytes;
  }

  @Override
  public synchronized void beginBatch() {
    if (batchOwner != null && batchOwner != Thread.currentThread()) {
      throw new IllegalStateException("a batch is open on " + batchOwner.getName());
    }
    batchOwner = Thread.currentThread();
  }

  @Override
  public synchronized void commit() {
    if (batchOwner != Thread.currentThread()) {
      throw new IllegalStateException("no batch open on this thread");
    }
    batchOwner = null;
    sync();
  }

  /** Bytes of all segment files (live and superseded records). */
  public synchronized long diskBytes() {
    return diskBytes;
  }

  /** Syncs so far (each makes everything appended before it durable). */
  public synchronized long syncCount() {
    return syncs;
  }

  /** Older segments that ended in unreadable bytes at the last open (disk corruption). */
  public synchronized long damagedSegments() {
    return damagedSegments;
  }

  /** Damaged records skipped at the last open (disk corruption; repair refetches their objects). */
  public synchronized long damagedRecords() {
    return damagedRecords;
  }

  /** Bytes the read cache holds now (for tests of its bound). */
  public synchronized long cachedBytes() {
    return cache.bytes();
  }

  /**
   * Closes the segment files; later calls fail. Unsynced writes of an open batch are synced first.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      if (active != null && dirty) {
        active.force(false);
      }
    } catch (IOException e) {
      // closing anyway; unsynced writes were never acknowledged
    }
    closed = true;
    for (FileChannel ch : segments.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }

  // ---- writing ------------------------------------------------------------------------------

  private boolean inBatch() {
    return batchOwner == Thread.currentThread();
  }

  /** Appends one record to the active segment; returns its offset there. */
  private long append(
      int op, ObjectKind kind, Id id, long expiry, long sequence, byte[] bytes, boolean syncNow) {
    if (closed) {
      throw new PastException.StorageException("the object store is closed", null);
    }
    byte[] rec = encode(op, kind, id, expiry, sequence, bytes);
    try {
      if (activeSize > 0 && activeSize + rec.length > segmentBytes) {
        roll();
      }
      long offset = activeSize;
      ByteBuffer b = ByteBuffer.wrap(rec);
      while (b.hasRemaining()) {
        active.write(b, offset + b.position());
      }
      activeSize += rec.length;
      diskBytes += rec.length;
      dirty = true;
      if (syncNow) {
        sync();
      }
      return offset;
    } catch (IOException e) {
      String reason =
          e.getMessage() != null && e.getMessage().contains("No space") ? "disk full: " : "";
      throw new PastException.StorageException(
          reason + "cannot append to " + segmentPath(activeSeq) + ": " + e, e);
    }
  }

  private void sync() {
    if (!dirty) {
      return;
    }
    try {
      active.force(false); // fdatasync: data and the file size, which is what a reader needs
      syncs++;
      dirty = false;
    } catch (IOException e) {
      throw new PastException.StorageException(
          "cannot sync " + segmentPath(activeSeq) + ": " + e, e);
    }
  }

  /** Seals the active segment (forced) and starts the next. */
  private void roll() throws IOException {
    if (dirty) {
      active.force(false);
      syncs++;
      dirty = false;
    }
    startSegment(activeSeq + 1);
  }

  private void startSegment(long seq) throws IOException {
    FileChannel ch =
        FileChannel.open(
            segmentPath(seq),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    segments.put(seq, ch);
    syncDirectory(logDir); // the new file's name is durable before anything in it is acknowledged
    activeSeq = seq;
    active = ch;
    activeSize = 0;
  }

  /**
   * Reclaims superseded records once they outweigh both the live bytes and one segment: seals the
   * active segment, appends the live records of all sealed segments again (with their current
   * expiry), forces, then deletes the sealed segments. A crash in between leaves duplicates that
   * replay resolves (the later record wins, and both are the same object).
   */
  private void maybeCompact() {
    long garbage = diskBytes - live;
    if (garbage <= Math.max(live, segmentBytes)) {
      return;
    }
    try {
      roll();
      long firstKept = activeSeq;
      for (Map.Entry<Id, Loc> e : new ArrayList<>(index.entrySet())) {
        Loc loc = e.getValue();
        if (loc.segment() >= firstKept) {
          continue;
        }
        PastObject o = read(e.getKey(), loc);
        if (o == null) {
          index.remove(e.getKey());
          live -= recordBytes(loc.size());
          continue;
        }
        long offset =
            append(
                PUT, loc.kind(), e.getKey(), loc.expiry(), loc.sequence(), o.bytesUnsafe(), false);
        index.put(
            e.getKey(),
            new Loc(activeSeq, offset, loc.kind(), loc.size(), loc.expiry(), loc.sequence()));
      }
      sync();
      for (Long seq : new ArrayList<>(segments.headMap(firstKept).keySet())) {
        FileChannel ch = segments.remove(seq);
        diskBytes -= ch.size();
        ch.close();
        Files.deleteIfExists(segmentPath(seq));
      }
      syncDirectory(logDir);
    } catch (IOException e) {
      throw new PastException.StorageException("compaction of " + logDir + " failed: " + e, e);
    }
  }

  // ---- format -------------------------------------------------------------------------------

  static long recordBytes(int objectSize) {
    return HEADER + (long) objectSize + TRAILER;
  }

  private Path segmentPath(long seq) {
    return logDir.resolve(String.format(java.util.Locale.ROOT, "%016d.seg", seq));
  }

  static byte[] encode(int op, ObjectKind kind, Id id, long expiry, long sequence, byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocate(HEADER + bytes.length + TRAILER);
    b.putInt(MAGIC).put((byte) op).put((byte) kind.code());
    id.write(b);
    b.putLong(expiry).putLong(sequence).putInt(bytes.length).put(bytes);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  private static boolean crcMatches(byte[] rec) {
    CRC32C crc = new CRC32C();
    crc.update(rec, 0, rec.length - TRAILER);
    return (int) crc.getValue() == ByteBuffer.wrap(rec, rec.length - TRAILER, TRAILER).getInt();
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    long p = pos;
    while (b.hasRemaining()) {
      int n = ch.read(b, p);
      if (n < 0) {
        throw new IOException("unexpected end of segment at " + p);
      }
      p += n;
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems refuse to open a directory; creating a file is still durable there after
      // the data sync
    }
  }

  private record Header(int op, ObjectKind kind, Id id, long expiry, long sequence, int length) {
    static Header parse(ByteBuffer b) {
      if (b.remaining() < HEADER || b.getInt() != MAGIC) {
        return null;
      }
      int op = b.get();
      ObjectKind kind = ObjectKind.ofCode(b.get());
      Id id = Id.read(b);
      long expiry = b.getLong();
      long sequence = b.getLong();
      int length = b.getInt();
      if (op < PUT
          || op > DELETE
          || kind == null
          || length < 0
          || length > PastObject.MAX_BYTES
          || (op != PUT && length != 0)) {
        return null;
      }
      return new Header(op, kind, id, expiry, sequence, length);
    }
  }
}
