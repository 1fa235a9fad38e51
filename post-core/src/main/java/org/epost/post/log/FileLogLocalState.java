package org.epost.post.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.epost.overlay.api.Scheduler;
import org.epost.post.api.LogLocalState;

/**
 * Local state in a directory under the node's data directory (real mode): one file per key ({@code
 * /} in a key becomes {@code ~}). A write replaces the file crash-safely: the value goes to {@code
 * <name>.tmp}, which is forced to disk, renamed over the file atomically, and the directory is
 * forced, so that after a crash the file holds the old or the new value, never a mix; leftover
 * {@code .tmp} files are removed when the directory is opened. Writes run on {@code disk} (the
 * node's storage thread) in the order made; their stages complete on the loop.
 *
 * <p>Created off the loop (it reads the directory); used on the loop afterwards.
 */
public final class FileLogLocalState implements LogLocalState {
  private final Path dir;
  private final Executor disk;
  private final Scheduler loop;
  private final Map<String, byte[]> values = new HashMap<>();

  /**
   * Opens (creating if needed) {@code dir} and reads every value in it.
   *
   * @throws IOException if the directory cannot be created or read
   */
  public FileLogLocalState(Path dir, Executor disk, Scheduler loop) throws IOException {
    this.dir = dir;
    this.disk = disk;
    this.loop = loop;
    Files.createDirectories(dir);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(f);
        } else {
          values.put(name.replace('~', '/'), Files.readAllBytes(f));
        }
      }
    }
  }

  @Override
  public byte[] read(String key) {
    byte[] v = values.get(key);
    return v == null ? null : v.clone();
  }

  @Override
  public CompletionStage<Void> write(String key, byte[] value) {
    MemoryLogLocalState.check(key, value);
    byte[] copy = value.clone();
    values.put(key, copy);
    CompletableFuture<Void> done = new CompletableFuture<>();
    String name = key.replace('/', '~');
    disk.execute(
        () -> {
          try {
            replace(dir, name, copy);
            loop.execute(() -> done.complete(null));
          } catch (IOException | RuntimeException e) {
            loop.execute(() -> done.completeExceptionally(e));
          }
        });
    return done;
  }

  /** Writes {@code dir/name} crash-safely: temp file, force, atomic rename, force directory. */
  static void replace(Path dir, String name, byte[] value) throws IOException {
    Path tmp = dir.resolve(name + ".tmp");
    Path target = dir.resolve(name);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer b = ByteBuffer.wrap(value);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + dir + " cannot rename atomically", e);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // some platforms cannot open a directory for forcing; the rename is still atomic
    }
  }
}
