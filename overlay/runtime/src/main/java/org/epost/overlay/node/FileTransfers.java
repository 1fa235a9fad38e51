package org.epost.overlay.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.PastObject;

/**
 * The control port's file commands (ADR 0094): the node reads and writes the file named by the
 * operator's absolute path itself (the command and the node share a machine); a file larger than
 * one PAST object is stored as chunks under a {@link Manifest}, inserted and fetched through a
 * {@link Window}, so a file is never held in memory whole. A fetched file is written to a temporary
 * file next to the target, checked against the manifest's whole-file hash, and renamed into place.
 * At most {@link Operations#MAX_FILE_TRANSFERS} chunked puts and gets run at once. Control threads.
 */
final class FileTransfers {
  private final PastBridge past;
  private final Semaphore fileTransfers = new Semaphore(Operations.MAX_FILE_TRANSFERS);

  FileTransfers(PastBridge past) {
    this.past = past;
  }

  String putFile(String pathText) throws Exception {
    Path file = Path.of(pathText);
    if (!file.isAbsolute()) {
      return "error the path must be absolute: " + pathText;
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      return "error the node cannot read " + file + " (missing, not a file, or not readable)";
    }
    boolean large = Files.size(file) > PastObject.MAX_BYTES;
    if (large && !fileTransfers.tryAcquire(Operations.OP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      return "error busy: "
          + Operations.MAX_FILE_TRANSFERS
          + " large file transfers running; try again later";
    }
    try {
      return putFile(file);
    } finally {
      if (large) {
        fileTransfers.release();
      }
    }
  }

  private String putFile(Path file) throws Exception {
    long size = Files.size(file);
    if (size <= PastObject.MAX_BYTES) {
      byte[] data = Files.readAllBytes(file);
      if (Manifest.decode(data) == null) {
        PastObject o = PastObject.immutable(data, past.expiry());
        past.insert(o);
        return "stored " + o.id().toHex() + " bytes=" + data.length + " chunks=1";
      }
      // A small file that reads as a manifest is wrapped, so that get returns it as it is.
    }
    MessageDigest whole = newSha256(); // own instance: contentId uses the thread's shared one
    List<Id> chunks = new ArrayList<>();
    Window window = new Window();
    long read = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (read < size) {
        int n = (int) Math.min(Manifest.CHUNK, size - read);
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
          if (ch.read(buf, read + buf.position()) < 0) {
            return "error " + file + " shrank while it was read";
          }
        }
        byte[] data = buf.array();
        whole.update(data);
        PastObject o = PastObject.immutable(data, past.expiry());
        chunks.add(o.id());
        window.run(() -> past.insertAsync(o, Operations.ATTEMPTS));
        read += n;
      }
      window.await();
    }
    byte[] hash = whole.digest();
    // Manifests bottom up: level 0 lists chunks; each level lists the manifests below it.
    List<Id> ids = chunks;
    int level = 0;
    while (true) {
      long span = Manifest.span(level, Manifest.CHUNK);
      long groupSpan = span * Manifest.MAX_ENTRIES;
      List<Id> next = new ArrayList<>();
      for (int start = 0; start < ids.size(); start += Manifest.MAX_ENTRIES) {
        List<Id> group = ids.subList(start, Math.min(ids.size(), start + Manifest.MAX_ENTRIES));
        long covered = Math.min(groupSpan, size - (start / Manifest.MAX_ENTRIES) * groupSpan);
        Manifest m = new Manifest(level, Manifest.CHUNK, covered, hash, group);
        PastObject o = PastObject.immutable(m.encode(), past.expiry());
        next.add(o.id());
        window.run(() -> past.insertAsync(o, Operations.ATTEMPTS));
      }
      window.await();
      if (next.size() == 1) {
        return "stored " + next.get(0).toHex() + " bytes=" + size + " chunks=" + chunks.size();
      }
      ids = next;
      level++;
    }
  }

  String getFile(String idHex, String pathText) throws Exception {
    Id id = PastBridge.parseId(idHex);
    if (id == null) {
      return "error bad id (40 hex digits)";
    }
    Path out = Path.of(pathText);
    if (!out.isAbsolute()) {
      return "error the path must be absolute: " + pathText;
    }
    if (Files.exists(out)) {
      return "error " + out + " exists; remove it or choose another --out";
    }
    Path dir = out.getParent();
    if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
      return "error the node cannot write into " + dir;
    }
    Path tmp =
        dir.resolve("." + out.getFileName() + ".part-" + Long.toHexString(System.nanoTime()));
    boolean large = false;
    try {
      byte[] top = past.fetch(id);
      Manifest m = Manifest.decode(top);
      if (m != null) {
        if (!fileTransfers.tryAcquire(Operations.OP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          return "error busy: "
              + Operations.MAX_FILE_TRANSFERS
              + " large file transfers running; try again later";
        }
        large = true;
      }
      long length;
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE,
              StandardOpenOption.READ)) {
        if (m == null) {
          ch.write(ByteBuffer.wrap(top), 0);
          length = top.length;
        } else {
          Window window = new Window();
          fetchInto(m, 0, ch, window, m.fileHash());
          window.await();
          length = m.length();
          if (ch.size() != length) {
            return "error the chunks give " + ch.size() + " bytes, the manifest says " + length;
          }
          if (!MessageDigest.isEqual(hashOf(ch, length), m.fileHash())) {
            return "error the file's hash does not match its manifest";
          }
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, out);
      }
      return "got " + id.toHex() + " bytes=" + length;
    } finally {
      Files.deleteIfExists(tmp);
      if (large) {
        fileTransfers.release();
      }
    }
  }

  /** Writes the bytes {@code m} covers at {@code offset}: chunks through the window. */
  private void fetchInto(Manifest m, long offset, FileChannel ch, Window window, byte[] hash)
      throws Exception {
    if (m.level() == 0) {
      for (int i = 0; i < m.entries().size(); i++) {
        Id chunk = m.entries().get(i);
        long at = offset + (long) i * m.chunkSize();
        long expect = m.entryLength(i);
        window.run(
            () ->
                past.lookupAsync(chunk, Operations.ATTEMPTS)
                    .thenApply(
                        data -> {
                          if (data.length != expect) {
                            throw new IllegalStateException(
                                "chunk " + chunk.toHex() + " has " + data.length + " bytes");
                          }
                          try {
                            ByteBuffer b = ByteBuffer.wrap(data);
                            while (b.hasRemaining()) {
                              ch.write(b, at + b.position());
                            }
                          } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                          }
                          return null;
                        }));
      }
      return;
    }
    long at = offset;
    for (int i = 0; i < m.entries().size(); i++) {
      Manifest sub = Manifest.decode(past.fetch(m.entries().get(i)));
      if (sub == null
          || sub.level() != m.level() - 1
          || sub.chunkSize() != m.chunkSize()
          || sub.length() != m.entryLength(i)
          || !MessageDigest.isEqual(sub.fileHash(), hash)) {
        throw new IllegalStateException(
            "manifest " + m.entries().get(i).toHex() + " is not part of this file");
      }
      fetchInto(sub, at, ch, window, hash);
      at += sub.length();
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static byte[] hashOf(FileChannel ch, long length) throws IOException {
    MessageDigest md = newSha256();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    long pos = 0;
    while (pos < length) {
      buf.clear();
      int n = ch.read(buf, pos);
      if (n < 0) {
        break;
      }
      md.update(buf.array(), 0, n);
      pos += n;
    }
    return md.digest();
  }
}
