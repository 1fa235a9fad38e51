package org.epost.post.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Crash-safe replacement of a whole file: the content goes to {@code NAME.tmp} beside it, which is
 * forced to disk and renamed over the file atomically, and the directory is forced; after a crash
 * the file holds the old or the new content, never a mix. Blocking disk I/O: never on a loop.
 */
public final class AtomicFiles {
  /** Writes a file's content into the open temporary file. */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileChannel channel) throws IOException;
  }

  private AtomicFiles() {}

  /**
   * Replaces {@code file} with {@code bytes}; a new file is readable by its owner only when {@code
   * ownerOnly}, else 0644.
   *
   * @throws IOException if a write fails or the file system cannot rename atomically
   */
  public static void replace(Path file, byte[] bytes, boolean ownerOnly) throws IOException {
    replace(
        file,
        ownerOnly,
        ch -> {
          ByteBuffer b = ByteBuffer.wrap(bytes);
          while (b.hasRemaining()) {
            ch.write(b);
          }
        });
  }

  /**
   * Replaces {@code file} with what {@code content} writes; see {@link #replace(Path, byte[],
   * boolean)}.
   */
  public static void replace(Path file, boolean ownerOnly, Content content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    FileAttribute<?> mode =
        PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString(ownerOnly ? "rw-------" : "rw-r--r--"));
    try {
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              mode)) {
        content.writeTo(ch);
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + file + " cannot rename atomically", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    try (FileChannel d =
        FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some platforms cannot open a directory for forcing; the rename is still atomic
    }
  }
}
