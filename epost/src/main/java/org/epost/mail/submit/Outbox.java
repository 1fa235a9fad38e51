package org.epost.mail.submit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epost.mail.api.MailNotice;
import org.epost.post.disk.AtomicFiles;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionException;

/**
 * The account's local outbox: messages accepted from the mail client that the ring has not fully
 * taken yet, fsynced before the client hears "250" and kept until every recipient is notified or
 * given up. An owner-only directory ({@code rwx------}); each message is two files, both encrypted
 * at rest ({@link AtRestCipher}): {@code ID.msg} (the message as received) and {@code ID.state}
 * (its envelope and progress, {@link OutboxEntry#encode()}).
 *
 * <p>Crash safety: a file is written as {@code *.tmp}, forced to disk, renamed into place and the
 * directory forced; the state file is the commit point (written after the message, deleted before
 * it). At open, {@code *.tmp} files and messages without a state file (a crash during an add that
 * was never acknowledged) are deleted; a state file without its message is reported and dropped.
 *
 * <p>Bounded by a message count and a byte total; an add over either is refused with 452 4.3.1.
 *
 * <p>Thread-safe: adds come from SMTP backend threads, saves and removes from the dispatcher.
 */
final class Outbox {
  private static final System.Logger LOG = System.getLogger(Outbox.class.getName());
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private final Path dir;
  private final AtRestCipher cipher;
  private final int maxMessages;
  private final long maxBytes;
  private final SecureRandom random;
  private final Map<String, OutboxEntry> entries = new LinkedHashMap<>();
  private final Map<String, Long> sizes = new LinkedHashMap<>();
  private long bytes;
  private int reserved;

  private Outbox(
      Path dir, AtRestCipher cipher, int maxMessages, long maxBytes, SecureRandom random) {
    this.dir = dir;
    this.cipher = cipher;
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.random = random;
  }

  /** Opens (creating it owner-only) the outbox in {@code dir} and loads what it holds. */
  static Outbox open(
      Path dir, AtRestCipher cipher, int maxMessages, long maxBytes, SecureRandom random)
      throws IOException {
    ownerOnlyDirectory(dir);
    Outbox o = new Outbox(dir, cipher, maxMessages, maxBytes, random);
    o.load();
    return o;
  }

  /** Creates {@code dir} owner-only, or checks that an existing one is. */
  static void ownerOnlyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    if (!perms.equals(OWNER_ONLY)) {
      throw new IOException(
          dir + " must be accessible by its owner only (rwx------); run: chmod 700 " + dir);
    }
  }

  private void load() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(files::add);
    }
    files.sort(null);
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (name.endsWith(".tmp")) {
        Files.deleteIfExists(p);
      } else if (name.endsWith(".msg")
          && !Files.exists(dir.resolve(name.replace(".msg", ".state")))) {
        Files.deleteIfExists(p); // an add that crashed before its commit point: never acknowledged
      }
    }
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (!name.endsWith(".state") || !Files.exists(p)) {
        continue;
      }
      String id = name.substring(0, name.length() - ".state".length());
      Path msg = dir.resolve(id + ".msg");
      try {
        OutboxEntry e = OutboxEntry.decode(cipher.open(Files.readAllBytes(p), aad(id, "state")));
        if (!Files.exists(msg)) {
          throw new IOException("its message file is missing");
        }
        entries.put(id, e);
        long size = Files.size(msg);
        sizes.put(id, size);
        bytes += size;
      } catch (IOException e) {
        // Left in place for the user to inspect, and never retried blindly.
        Path aside = dir.resolve(id + ".damaged");
        Files.move(p, aside, StandardCopyOption.REPLACE_EXISTING);
        LOG.log(
            Level.ERROR,
            "outbox entry " + id + " cannot be read (" + e.getMessage() + "); moved to " + aside);
      }
    }
  }

  /** The entries held, oldest first. */
  synchronized List<OutboxEntry> entries() {
    return new ArrayList<>(entries.values());
  }

  synchronized int size() {
    return entries.size();
  }

  /**
   * Writes a new message and its envelope durably; returns once both are on disk.
   *
   * @throws SubmissionException 452 4.3.1 when the outbox is full; 451 4.3.0 on a disk error
   */
  OutboxEntry add(
      MailNotice.Origin origin,
      String reversePath,
      String messageId,
      String clientAddress,
      List<String> recipients,
      long nowMillis,
      InputStream message)
      throws SubmissionException {
    synchronized (this) {
      if (entries.size() + reserved >= maxMessages || bytes >= maxBytes) {
        throw new SubmissionException(
            SmtpStatus.INSUFFICIENT_STORAGE, "Outbox full (the ring has been away), try later");
      }
      reserved++;
    }
    byte[] idBytes = new byte[12];
    random.nextBytes(idBytes);
    String id = Long.toString(nowMillis, 36) + "-" + HexFormat.of().formatHex(idBytes);
    Path msg = dir.resolve(id + ".msg");
    try {
      long size;
      Path tmp = dir.resolve(id + ".msg.tmp");
      try (OutputStream out =
          Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        size = cipher.encrypt(message, out, aad(id, "msg"));
      }
      force(tmp);
      Files.move(tmp, msg, StandardCopyOption.ATOMIC_MOVE);
      List<OutboxEntry.Recipient> rs = new ArrayList<>();
      for (String r : recipients) {
        rs.add(new OutboxEntry.Recipient(r, OutboxEntry.Progress.PENDING, ""));
      }
      OutboxEntry e =
          new OutboxEntry(id, nowMillis, origin, reversePath, messageId, clientAddress, rs, size);
      synchronized (this) {
        if (bytes + size > maxBytes) {
          Files.deleteIfExists(msg);
          throw new SubmissionException(
              SmtpStatus.INSUFFICIENT_STORAGE, "Outbox full (the ring has been away), try later");
        }
        bytes += size;
        sizes.put(id, size);
      }
      writeState(e);
      forceDirectory();
      synchronized (this) {
        entries.put(id, e);
      }
      return e;
    } catch (IOException e) {
      try {
        Files.deleteIfExists(msg);
      } catch (IOException ignored) {
        // reported below
      }
      synchronized (this) {
        Long size = sizes.remove(id);
        if (size != null) {
          bytes -= size;
        }
      }
      throw new SubmissionException(
          SmtpStatus.TEMPORARY_FAILURE, "Cannot write the outbox: " + e.getMessage(), e);
    } finally {
      synchronized (this) {
        reserved--;
      }
    }
  }

  /** Rewrites {@code e}'s state file (its progress changed). */
  void save(OutboxEntry e) throws IOException {
    writeState(e);
  }

  /** The message of {@code e}, decrypted; the caller closes it. */
  InputStream openMessage(OutboxEntry e) throws IOException {
    return cipher.decrypt(Files.newInputStream(dir.resolve(e.id + ".msg")), aad(e.id, "msg"));
  }

  /** Forgets {@code e}: its state file first (the commit point), then its message. */
  void remove(OutboxEntry e) throws IOException {
    synchronized (this) {
      entries.remove(e.id);
      Long size = sizes.remove(e.id);
      if (size != null) {
        bytes -= size;
      }
    }
    Files.deleteIfExists(dir.resolve(e.id + ".state"));
    Files.deleteIfExists(dir.resolve(e.id + ".msg"));
    forceDirectory();
  }

  private void writeState(OutboxEntry e) throws IOException {
    AtomicFiles.replace(
        dir.resolve(e.id + ".state"), cipher.seal(e.encode(), aad(e.id, "state")), true);
  }

  private static void force(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.force(true);
    }
  }

  private void forceDirectory() throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open a directory for sync; the renames are still atomic.
      LOG.log(Level.DEBUG, "cannot force directory " + dir + ": " + e.getMessage());
    }
  }

  private static byte[] aad(String id, String kind) {
    return ("outbox/" + id + "/" + kind).getBytes(StandardCharsets.UTF_8);
  }
}
