package org.epost.post.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.crypto.primitives.Sha256;
import org.epost.overlay.api.Scheduler;
import org.epost.post.api.LogLocalState;
import org.epost.post.disk.AtomicFiles;

/**
 * Local state in a directory under the node's data directory (real mode): one file per key ({@code
 * /} in a key becomes {@code ~}). A write replaces the file crash-safely: the value goes to {@code
 * <name>.tmp}, which is forced to disk, renamed over the file atomically, and the directory is
 * forced, so that after a crash the file holds the old or the new value, never a mix; leftover
 * {@code .tmp} files are removed when the directory is opened. Writes run on {@code disk} (the
 * node's storage thread) in the order made; their stages complete on the loop.
 *
 * <p>Opened {@linkplain #openExclusive exclusively} (by a process that holds the directory, e.g.
 * under its data directory's lock), it also knows the directory's <em>installation identity</em>
 * (ADR 0108): SHA-256 of a random id kept in the marker file {@value #MARKER} (created once, at the
 * first exclusive open), the directory's real path, the machine's id ({@code /etc/machine-id} or
 * {@code /var/lib/dbus/machine-id}, if either is readable) and the marker's inode number (where the
 * file system reports one). The same directory on the same machine keeps it across restarts,
 * crashes and reboots; a copy (another path, another machine, a container mounting a copied volume,
 * a backup restored in place) has another one.
 *
 * <p>Created off the loop (it reads the directory, and the machine id); used on the loop
 * afterwards.
 */
public final class FileLogLocalState implements LogLocalState {
  /** The marker file holding the installation's random id (not a key: keys are lower case). */
  static final String MARKER = "INSTALLATION";

  private static final int MARKER_BYTES = 16;
  private static final String IDENTITY_CONTEXT = "epost/log-installation";
  private static final List<Path> MACHINE_ID_FILES =
      List.of(Path.of("/etc/machine-id"), Path.of("/var/lib/dbus/machine-id"));

  private final Path dir;
  private final Executor disk;
  private final Scheduler loop;
  private final Map<String, byte[]> values = new HashMap<>();
  private final byte[] identity; // null unless opened exclusively

  /**
   * Opens (creating if needed) {@code dir} and reads every value in it, for a holder that does not
   * claim exclusive use: its {@link #exclusiveIdentity()} is null, so a log writer on it treats a
   * previous session that did not stop cleanly as possibly alive (the quiet period, ADR 0102).
   *
   * @throws IOException if the directory cannot be created or read
   */
  public FileLogLocalState(Path dir, Executor disk, Scheduler loop) throws IOException {
    this(dir, disk, loop, null, List.of());
  }

  private FileLogLocalState(
      Path dir, Executor disk, Scheduler loop, SecureRandom random, List<Path> machineIdFiles)
      throws IOException {
    this.dir = dir;
    this.disk = disk;
    this.loop = loop;
    Files.createDirectories(dir);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(f);
        } else if (!name.equals(MARKER)) {
          values.put(name.replace('~', '/'), Files.readAllBytes(f));
        }
      }
    }
    this.identity = random == null ? null : identity(dir, random, machineIdFiles);
  }

  /**
   * Opens {@code dir} like the constructor, for a holder that uses it <em>exclusively</em>: no
   * other process or object uses this directory while the returned state lives, and every earlier
   * user of it has ended. The epost daemon can say so because it holds its data directory's lock
   * (one process per data directory, released by the operating system only when the process is
   * gone) and opens each user's state once. Then a log writer that finds its logs' newest heads
   * written by the previous session of this same installation, which did not stop cleanly, knows
   * that session's process is dead and takes the logs over at once (ADR 0108). {@code random} makes
   * the marker's id the first time.
   *
   * @throws IOException if the directory or the marker cannot be created or read
   */
  public static FileLogLocalState openExclusive(
      Path dir, Executor disk, Scheduler loop, SecureRandom random) throws IOException {
    return openExclusive(dir, disk, loop, random, MACHINE_ID_FILES);
  }

  /**
   * {@link #openExclusive(Path, Executor, Scheduler, SecureRandom)} with other machine-id files.
   */
  static FileLogLocalState openExclusive(
      Path dir, Executor disk, Scheduler loop, SecureRandom random, List<Path> machineIdFiles)
      throws IOException {
    return new FileLogLocalState(
        dir, disk, loop, Objects.requireNonNull(random, "random"), machineIdFiles);
  }

  @Override
  public byte[] exclusiveIdentity() {
    return identity == null ? null : identity.clone();
  }

  private static byte[] identity(Path dir, SecureRandom random, List<Path> machineIdFiles)
      throws IOException {
    Path marker = dir.resolve(MARKER);
    byte[] id = Files.exists(marker) ? Files.readAllBytes(marker) : null;
    if (id == null || id.length != MARKER_BYTES) {
      id = new byte[MARKER_BYTES]; // first exclusive open, or a damaged marker: a new installation
      random.nextBytes(id);
      replace(dir, MARKER, id);
    }
    long inode = 0;
    try {
      if (Files.getAttribute(marker, "unix:ino") instanceof Long n) {
        inode = n;
      }
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      // no inode numbers here: the id, path and machine still tell most copies apart
    }
    return Sha256.hash(
        CanonicalWriter.start(IDENTITY_CONTEXT, 1)
            .bytes(1, id)
            .text(2, dir.toRealPath().toString())
            .text(3, machineId(machineIdFiles))
            .u64(4, inode)
            .toByteArray());
  }

  /** The machine's id (systemd's or D-Bus's), or "" where neither is readable. */
  private static String machineId(List<Path> files) {
    for (Path f : files) {
      try {
        String s = Files.readString(f, StandardCharsets.US_ASCII).trim();
        if (!s.isEmpty() && s.length() <= 128) {
          return s;
        }
      } catch (IOException | RuntimeException e) {
        // not there or not readable: try the next
      }
    }
    return "";
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

  /** Writes {@code dir/name} crash-safely (see {@link AtomicFiles}), owner-only. */
  static void replace(Path dir, String name, byte[] value) throws IOException {
    AtomicFiles.replace(dir.resolve(name), value, true);
  }
}
