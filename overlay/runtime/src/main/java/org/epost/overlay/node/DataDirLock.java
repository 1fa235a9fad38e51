package org.epost.overlay.node;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import org.epost.overlay.node.api.DataDirectoryException;

/**
 * One process per data directory: an exclusive {@link FileLock} on {@code DATA/lock}, held for the
 * process's lifetime and released by the operating system when the process ends, however it ends (a
 * SIGKILLed node restarts without cleanup). The file holds the owner's PID, for the message a
 * second process prints. Also checks the directory's POSIX permissions: a directory that group or
 * others may write is refused (someone else could replace the key or read the control token's
 * neighbours); one owned by another user is accepted with a warning.
 *
 * <p>Thread-safety: acquire once at start, release once at stop; not shared.
 */
final class DataDirLock implements AutoCloseable {
  static final String LOCK_FILE = "lock";
  private static final System.Logger LOG = System.getLogger("org.epost.overlay.node");

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock on {@code dir} (an existing directory).
   *
   * @throws DataDirectoryException if another process holds it, or the directory is writable by
   *     group or others
   * @throws IOException if the lock file cannot be created
   */
  static DataDirLock acquire(Path dir) throws IOException {
    checkPermissions(dir);
    Path file = dir.resolve(LOCK_FILE);
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // this JVM holds it already (a second node on the same directory in-process)
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      String pid = readPid(ch);
      ch.close();
      throw new DataDirectoryException(
          "data directory "
              + dir
              + " is in use by process "
              + pid
              + " (lock file "
              + file
              + "); stop it first");
    }
    ch.truncate(0);
    ch.write(
        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
        0);
    ch.force(false);
    return new DataDirLock(ch, lock);
  }

  private static String readPid(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(32);
      ch.read(b, 0);
      String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
      return s.matches("\\d{1,10}") ? s : "?";
    } catch (IOException e) {
      return "?";
    }
  }

  /**
   * Refuses a directory that group or others may write; warns about one owned by another user.
   * Skipped where the file system has no POSIX attributes.
   */
  static void checkPermissions(Path dir) throws IOException {
    PosixFileAttributeView view =
        Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return;
    }
    PosixFileAttributes a = view.readAttributes();
    Set<PosixFilePermission> p = a.permissions();
    if (p.contains(PosixFilePermission.GROUP_WRITE)
        || p.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new DataDirectoryException(
          "data directory "
              + dir
              + " may be written by other users (mode "
              + java.nio.file.attribute.PosixFilePermissions.toString(p)
              + "); run 'chmod 700 "
              + dir
              + "' first");
    }
    UserPrincipal me;
    try {
      me =
          dir.getFileSystem()
              .getUserPrincipalLookupService()
              .lookupPrincipalByName(System.getProperty("user.name"));
    } catch (IOException e) {
      return; // no name service for this user: nothing to compare with
    }
    if (!a.owner().equals(me)) {
      LOG.log(
          Level.WARNING,
          "data directory {0} is owned by {1}, not by {2}",
          dir,
          a.owner().getName(),
          me.getName());
    }
  }

  /** Releases the lock (the file stays; its PID is stale until the next start). */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the OS releases it when the process ends
    }
  }
}
