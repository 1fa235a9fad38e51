package org.epost.post.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.zip.CRC32C;
import org.epost.overlay.api.Scheduler;

/**
 * An append-only file of records with a checksum each (ADR 0107).
 *
 * <p><b>Format.</b> An 8-byte header: {@code "EPJ1"} and a 4-byte kind naming what the file holds
 * (a file of another kind is refused). Then records: length (4 bytes, big-endian, 1..{@code
 * maxRecord}), CRC-32C of the payload (4 bytes), the payload.
 *
 * <p><b>Durability.</b> {@link #append} hands the record to the disk executor, which writes every
 * record queued meanwhile in one write and forces the file once (group commit); the stage completes
 * on the loop when the record is on disk, or fails with the I/O error. After a failed write the
 * journal refuses every later append (the file's tail is unknown until it is opened again). {@link
 * #rewrite} replaces the whole file by the given records (compaction): written to {@code
 * <name>.tmp}, forced, renamed atomically over the journal, the directory forced; a crash leaves
 * the old or the new file. Operations run in the order they were made.
 *
 * <p><b>Recovery</b> ({@link #open}). Records are read in order. A damaged record at the very end
 * (a length or payload cut short by the end of the file, or a bad checksum in the last record, or a
 * zero-filled tail) is what a crash during an append leaves, and that append was never
 * acknowledged: the tail is cut off and {@link #recoveredTailBytes} says how much. A damaged record
 * followed by more data is corruption: {@link JournalCorruptException}, the file untouched, rather
 * than a silent loss of acknowledged records. A leftover {@code .tmp} of an interrupted rewrite is
 * removed.
 *
 * <p>Threading: {@link #open} does blocking I/O: call it off the loop (at node start, before the
 * loop runs the services, or on the disk executor). The other methods are called on the loop; the
 * blocking work runs on {@code disk} and the stages complete on {@code loop}. One monitor guards
 * the queue of operations (a leaf lock, never held during I/O).
 */
public final class Journal {
  private static final byte[] MAGIC = "EPJ1".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER = 8;
  static final int RECORD_OVERHEAD = 8;

  private final Path file;
  private final byte[] kind;
  private final int maxRecord;
  private final Executor disk;
  private final Scheduler loop;
  private final List<byte[]> recovered;
  private final long recoveredTailBytes;
  private FileChannel channel; // disk side only
  private long size; // loop side: bytes the file will have once every queued operation ran

  private final ArrayDeque<Op> queue = new ArrayDeque<>(); // guarded by this
  private boolean draining; // guarded by this
  private IOException broken; // guarded by this

  private record Op(
      byte[] record, List<byte[]> rewrite, boolean close, CompletableFuture<Void> done) {}

  private Journal(
      Path file,
      byte[] kind,
      int maxRecord,
      Executor disk,
      Scheduler loop,
      List<byte[]> recovered,
      long recoveredTailBytes,
      FileChannel channel,
      long size) {
    this.file = file;
    this.kind = kind;
    this.maxRecord = maxRecord;
    this.disk = disk;
    this.loop = loop;
    this.recovered = recovered;
    this.recoveredTailBytes = recoveredTailBytes;
    this.channel = channel;
    this.size = size;
  }

  /**
   * Opens (creating if absent) the journal {@code file} of {@code kind} (4 ASCII characters), reads
   * and checks every record, cuts off a torn tail. Blocking: off the loop.
   *
   * @param maxRecord largest payload accepted and expected
   * @throws JournalCorruptException if the file is damaged before its end or of another kind
   * @throws IOException if it cannot be read or created
   */
  public static Journal open(Path file, String kind, int maxRecord, Executor disk, Scheduler loop)
      throws IOException {
    byte[] k = kind.getBytes(StandardCharsets.US_ASCII);
    if (k.length != 4 || maxRecord < 1) {
      throw new IllegalArgumentException("a kind is 4 ASCII characters and maxRecord >= 1");
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Files.deleteIfExists(tmp(file));
    List<byte[]> records = new ArrayList<>();
    long cut = 0;
    long good;
    if (!Files.exists(file) || Files.size(file) == 0) {
      writeFile(file, k, List.of());
      good = HEADER;
    } else {
      byte[] all = Files.readAllBytes(file);
      if (all.length < HEADER) {
        if (isZero(all, 0) || startsWith(all, MAGIC)) {
          // a crash while the header of a new journal was written: nothing was acknowledged
          writeFile(file, k, List.of());
          return open(file, kind, maxRecord, disk, loop);
        }
        throw new JournalCorruptException(file, 0, "not a journal (" + all.length + " bytes)");
      }
      for (int i = 0; i < 4; i++) {
        if (all[i] != MAGIC[i]) {
          throw new JournalCorruptException(file, 0, "not a journal (no EPJ1 header)");
        }
        if (all[HEADER - 4 + i] != k[i]) {
          throw new JournalCorruptException(
              file,
              4,
              "a journal of kind '"
                  + new String(all, 4, 4, StandardCharsets.US_ASCII)
                  + "', not '"
                  + kind
                  + "'");
        }
      }
      int p = HEADER;
      while (p < all.length) {
        String damage = null;
        int len = 0;
        if (all.length - p < RECORD_OVERHEAD) {
          damage = "a record header cut short";
        } else {
          len = ByteBuffer.wrap(all, p, 4).getInt();
          int crc = ByteBuffer.wrap(all, p + 4, 4).getInt();
          if (len < 1 || len > maxRecord) {
            damage = "a record length of " + len + " (bounds 1.." + maxRecord + ")";
          } else if ((long) p + RECORD_OVERHEAD + len > all.length) {
            damage = "a record cut short";
          } else if (crc32c(all, p + RECORD_OVERHEAD, len) != crc) {
            damage = "a record checksum mismatch";
          }
        }
        if (damage == null) {
          byte[] r = new byte[len];
          System.arraycopy(all, p + RECORD_OVERHEAD, r, 0, len);
          records.add(r);
          p += RECORD_OVERHEAD + len;
          continue;
        }
        long extent = len >= 1 && len <= maxRecord ? (long) p + RECORD_OVERHEAD + len : all.length;
        if (extent >= all.length || isZero(all, p)) {
          cut = all.length - p; // a torn last append: never acknowledged
          break;
        }
        throw new JournalCorruptException(
            file, p, damage + ", followed by " + (all.length - extent) + " more bytes");
      }
      good = p;
      if (cut > 0) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(good);
          ch.force(true);
        }
      }
    }
    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
    ch.position(good);
    return new Journal(file, k, maxRecord, disk, loop, records, cut, ch, good);
  }

  /** The records read by {@link #open}, in order. */
  public List<byte[]> recovered() {
    return recovered;
  }

  /** Bytes of a torn tail cut off by {@link #open} (0 if the file ended cleanly). */
  public long recoveredTailBytes() {
    return recoveredTailBytes;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** The file's size once every operation made so far has run (header included). */
  public long size() {
    return size;
  }

  /** Bytes a record of {@code payloadLength} takes in the file. */
  public static long footprint(int payloadLength) {
    return RECORD_OVERHEAD + (long) payloadLength;
  }

  /**
   * Appends a record; the stage completes on the loop once it is on disk. The array is not copied:
   * do not change it afterwards.
   */
  public CompletionStage<Void> append(byte[] record) {
    if (record.length < 1 || record.length > maxRecord) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "a journal record is 1.." + maxRecord + " bytes, not " + record.length));
    }
    size += footprint(record.length);
    return enqueue(new Op(record, null, false, new CompletableFuture<>()));
  }

  /**
   * Replaces the file's records by {@code records} (compaction), crash-safely; later appends go to
   * the new file.
   */
  public CompletionStage<Void> rewrite(List<byte[]> records) {
    long s = HEADER;
    for (byte[] r : records) {
      if (r.length < 1 || r.length > maxRecord) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("a journal record is 1.." + maxRecord + " bytes"));
      }
      s += footprint(r.length);
    }
    size = s;
    return enqueue(new Op(null, List.copyOf(records), false, new CompletableFuture<>()));
  }

  /** Closes the file after the operations made so far. */
  public CompletionStage<Void> close() {
    return enqueue(new Op(null, null, true, new CompletableFuture<>()));
  }

  private CompletionStage<Void> enqueue(Op op) {
    boolean start;
    synchronized (this) {
      if (broken != null) {
        return CompletableFuture.failedFuture(
            new IOException("journal " + file + " failed earlier: " + broken.getMessage(), broken));
      }
      queue.add(op);
      start = !draining;
      draining = true;
    }
    if (start) {
      try {
        disk.execute(this::drain);
      } catch (RuntimeException e) {
        synchronized (this) {
          draining = false;
          queue.remove(op);
        }
        return CompletableFuture.failedFuture(e);
      }
    }
    return op.done;
  }

  /** On the disk executor: runs queued operations in order, appends in groups. */
  private void drain() {
    while (true) {
      List<Op> batch = new ArrayList<>();
      synchronized (this) {
        while (!queue.isEmpty()) {
          Op head = queue.peek();
          if (head.record() == null && !batch.isEmpty()) {
            break; // a rewrite or close runs alone, after the appends before it
          }
          batch.add(queue.poll());
          if (head.record() == null) {
            break;
          }
        }
        if (batch.isEmpty()) {
          draining = false;
          return;
        }
      }
      IOException failure = null;
      try {
        run(batch);
      } catch (IOException | RuntimeException e) {
        failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
        synchronized (this) {
          broken = failure;
          batch.addAll(queue);
          queue.clear();
        }
      }
      IOException f = failure;
      for (Op op : batch) {
        complete(op.done(), f);
      }
      if (f != null) {
        synchronized (this) {
          draining = false;
        }
        return;
      }
    }
  }

  private void run(List<Op> batch) throws IOException {
    Op first = batch.get(0);
    if (first.close()) {
      if (channel != null) {
        channel.close();
        channel = null;
      }
      return;
    }
    if (channel == null) {
      throw new IOException("journal " + file + " is closed");
    }
    if (first.rewrite() != null) {
      channel.close();
      channel = null;
      writeFile(file, kind, first.rewrite());
      channel = FileChannel.open(file, StandardOpenOption.WRITE);
      channel.position(channel.size());
      return;
    }
    int total = 0;
    for (Op op : batch) {
      total += RECORD_OVERHEAD + op.record().length;
    }
    ByteBuffer b = ByteBuffer.allocate(total);
    for (Op op : batch) {
      put(b, op.record());
    }
    b.flip();
    while (b.hasRemaining()) {
      channel.write(b);
    }
    channel.force(false);
  }

  private void complete(CompletableFuture<Void> done, IOException failure) {
    try {
      loop.execute(
          () -> {
            if (failure == null) {
              done.complete(null);
            } else {
              done.completeExceptionally(failure);
            }
          });
    } catch (RuntimeException e) {
      // the loop is closed: nobody waits for the stage any more
    }
  }

  private static void put(ByteBuffer b, byte[] r) {
    b.putInt(r.length);
    b.putInt(crc32c(r, 0, r.length));
    b.put(r);
  }

  /** Writes a whole journal crash-safely (see {@link AtomicFiles}), owner-only. */
  private static void writeFile(Path file, byte[] kind, List<byte[]> records) throws IOException {
    long total = HEADER;
    for (byte[] r : records) {
      total += RECORD_OVERHEAD + r.length;
    }
    long size = total;
    AtomicFiles.replace(
        file,
        true,
        ch -> {
          ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, 1 << 20));
          b.put(MAGIC).put(kind);
          for (byte[] r : records) {
            if (b.remaining() < RECORD_OVERHEAD + r.length) {
              b.flip();
              while (b.hasRemaining()) {
                ch.write(b);
              }
              b.clear();
              if (b.capacity() < RECORD_OVERHEAD + r.length) {
                b = ByteBuffer.allocate(RECORD_OVERHEAD + r.length);
              }
            }
            put(b, r);
          }
          b.flip();
          while (b.hasRemaining()) {
            ch.write(b);
          }
        });
  }

  private static Path tmp(Path file) {
    return file.resolveSibling(file.getFileName() + ".tmp");
  }

  private static int crc32c(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  private static boolean isZero(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    for (int i = 0; i < Math.min(b.length, prefix.length); i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Encoding helpers for the stores' records. */
  public static final class Records {
    private Records() {}

    /** A writer of one record. */
    public static ByteBuffer buffer(int capacity) {
      return ByteBuffer.allocate(capacity);
    }

    /** The written bytes of {@code b}. */
    public static byte[] bytes(ByteBuffer b) {
      byte[] out = new byte[b.position()];
      System.arraycopy(b.array(), 0, out, 0, out.length);
      return out;
    }

    /** Writes a length-prefixed (2 bytes) byte string. */
    public static void putShortBytes(ByteBuffer b, byte[] v) {
      if (v.length > 0xFFFF) {
        throw new IllegalArgumentException("over 65535 bytes");
      }
      b.putShort((short) v.length);
      b.put(v);
    }

    /** Reads a length-prefixed (2 bytes) byte string. */
    public static byte[] getShortBytes(ByteBuffer b) {
      byte[] v = new byte[Short.toUnsignedInt(b.getShort())];
      b.get(v);
      return v;
    }
  }
}
