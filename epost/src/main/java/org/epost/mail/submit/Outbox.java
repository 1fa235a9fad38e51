package org.epost.mail.submit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
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
 * given up. An owner-only directory ({@code rwx------}); everything in it is encrypted at rest
 * ({@link AtRestCipher}). A message accepted is one file, {@code ID.out}: the message as received
 * (the cipher's stream), then its envelope and progress as first written ({@link
 * OutboxEntry#encode()}, sealed), then that sealed blob's length (u32). Progress saved later (only
 * when an entry has to wait for the ring) goes to {@code ID.state}, which overrides the copy in
 * {@code ID.out} (ADR 0148).
 *
 * <p>Crash safety: an add writes {@code ID.out.tmp}, forces it, renames it into place and forces
 * the directory, the one commit point: a file write and two forces before the "250". A state file
 * is replaced atomically ({@code AtomicFiles}). A removal deletes {@code ID.out} first (its commit
 * point), then {@code ID.state}, without forcing the directory: the next add's directory force
 * makes it durable, and a power cut before that sends the message to the ring again (a removal is
 * never a loss). At open, {@code *.tmp} files and a {@code ID.state} without its message (an
 * interrupted removal) are deleted; a file that does not open is set aside as {@code ID.damaged}.
 * Outboxes written before ADR 0148 ({@code ID.msg} and {@code ID.state}, the state file the commit
 * point) still load and drain.
 *
 * <p>Bounded by a message count and a byte total; an add over either is refused with 452 4.3.1.
 *
 * <p>Thread-safe: adds come from SMTP backend threads, saves and removes from the dispatcher.
 */
final class Outbox {
  private static final System.Logger LOG = System.getLogger(Outbox.class.getName());

  /** Largest sealed state read from a file's trailer. */
  private static final int MAX_STATE_BYTES = 1 << 20;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private final Path dir;
  private final AtRestCipher cipher;
  private final int maxMessages;
  private final long maxBytes;
  private final SecureRandom random;
  private final Map<String, OutboxEntry> entries = new LinkedHashMap<>();
  private final Map<String, Long> sizes = new LinkedHashMap<>();
  private final Map<String, Boolean> legacy = new LinkedHashMap<>(); // ID.msg entries (before 0148)
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
      } else if (name.endsWith(".msg") && !Files.exists(sibling(name, ".msg", ".state"))) {
        Files.deleteIfExists(p); // a legacy add that crashed before its commit point
      } else if (name.endsWith(".state")
          && !Files.exists(sibling(name, ".state", ".out"))
          && !Files.exists(sibling(name, ".state", ".msg"))) {
        Files.deleteIfExists(p); // a removal interrupted after its commit point
        LOG.log(Level.INFO, "outbox: finished the interrupted removal of " + name);
      }
    }
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (!Files.exists(p)) {
        continue;
      }
      if (name.endsWith(".out")) {
        String id = name.substring(0, name.length() - ".out".length());
        try {
          loadEntry(id, p);
        } catch (IOException | RuntimeException e) {
          setAside(id, p, e);
        }
      } else if (name.endsWith(".state")
          && Files.exists(sibling(name, ".state", ".msg"))
          && !Files.exists(sibling(name, ".state", ".out"))) {
        String id = name.substring(0, name.length() - ".state".length());
        try {
          OutboxEntry e = OutboxEntry.decode(cipher.open(Files.readAllBytes(p), aad(id, "state")));
          long size = Files.size(dir.resolve(id + ".msg"));
          entries.put(id, e);
          sizes.put(id, size);
          legacy.put(id, Boolean.TRUE);
          bytes += size;
        } catch (IOException | RuntimeException e) {
          setAside(id, p, e);
        }
      }
    }
  }

  /** Loads {@code ID.out}: its trailing state, or {@code ID.state} when one was saved since. */
  private void loadEntry(String id, Path file) throws IOException {
    long fileSize = Files.size(file);
    byte[] sealed;
    long messageSize;
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      if (fileSize < 4) {
        throw new IOException("shorter than its trailer");
      }
      ByteBuffer len = ByteBuffer.allocate(4);
      readFully(c, len, fileSize - 4);
      int n = len.flip().getInt();
      if (n <= 0 || n > MAX_STATE_BYTES || n > fileSize - 4) {
        throw new IOException("its trailer names a state of " + n + " bytes");
      }
      ByteBuffer state = ByteBuffer.allocate(n);
      readFully(c, state, fileSize - 4 - n);
      sealed = state.array();
      messageSize = fileSize - 4 - n;
    }
    Path saved = dir.resolve(id + ".state");
    OutboxEntry e =
        Files.exists(saved)
            ? OutboxEntry.decode(cipher.open(Files.readAllBytes(saved), aad(id, "state")))
            : OutboxEntry.decode(cipher.open(sealed, aad(id, "state")));
    entries.put(id, e);
    sizes.put(id, messageSize);
    bytes += messageSize;
  }

  private static void readFully(FileChannel c, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      if (c.read(b, at + b.position()) < 0) {
        throw new IOException("truncated");
      }
    }
  }

  /** Left in place for the user to inspect, and never retried blindly. */
  private void setAside(String id, Path p, Exception e) throws IOException {
    Path aside = dir.resolve(id + ".damaged");
    Files.move(p, aside, StandardCopyOption.REPLACE_EXISTING);
    LOG.log(
        Level.ERROR,
        "outbox entry " + id + " cannot be read (" + e.getMessage() + "); moved to " + aside);
  }

  private Path sibling(String name, String suffix, String other) {
    return dir.resolve(name.substring(0, name.length() - suffix.length()) + other);
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
    Path msg = dir.resolve(id + ".out");
    try {
      long size;
      Path tmp = dir.resolve(id + ".out.tmp");
      List<OutboxEntry.Recipient> rs = new ArrayList<>();
      for (String r : recipients) {
        rs.add(new OutboxEntry.Recipient(r, OutboxEntry.Progress.PENDING, ""));
      }
      OutboxEntry e;
      try (FileChannel c =
          FileChannel.open(
              tmp,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(c), 64 * 1024);
        size = cipher.encrypt(message, out, aad(id, "msg"));
        e = new OutboxEntry(id, nowMillis, origin, reversePath, messageId, clientAddress, rs, size);
        byte[] sealed = cipher.seal(e.encode(), aad(id, "state"));
        out.write(sealed);
        out.write(ByteBuffer.allocate(4).putInt(sealed.length).array());
        out.flush();
        c.force(true);
      }
      synchronized (this) {
        if (bytes + size > maxBytes) {
          Files.deleteIfExists(tmp);
          throw new SubmissionException(
              SmtpStatus.INSUFFICIENT_STORAGE, "Outbox full (the ring has been away), try later");
        }
        bytes += size;
        sizes.put(id, size);
      }
      Files.move(tmp, msg, StandardCopyOption.ATOMIC_MOVE);
      forceDirectory();
      synchronized (this) {
        entries.put(id, e);
      }
      return e;
    } catch (IOException e) {
      try {
        Files.deleteIfExists(msg);
        Files.deleteIfExists(dir.resolve(id + ".out.tmp"));
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
    long size;
    boolean old;
    synchronized (this) {
      Long known = sizes.get(e.id);
      size = known == null ? -1 : known;
      old = legacy.containsKey(e.id);
    }
    if (old) {
      return cipher.decrypt(Files.newInputStream(dir.resolve(e.id + ".msg")), aad(e.id, "msg"));
    }
    if (size < 0) {
      throw new IOException("outbox entry " + e.id + " is no longer held");
    }
    InputStream file = Files.newInputStream(dir.resolve(e.id + ".out"));
    return cipher.decrypt(new BufferedInputStream(bounded(file, size)), aad(e.id, "msg"));
  }

  /** The first {@code limit} bytes of {@code in} (closing it when closed). */
  private static InputStream bounded(InputStream in, long limit) {
    return new FilterInputStream(in) {
      private long left = limit;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int b = super.read();
        if (b >= 0) {
          left--;
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return len == 0 ? 0 : -1;
        }
        int n = super.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }

      @Override
      public long skip(long n) throws IOException {
        long k = super.skip(Math.min(n, left));
        left -= k;
        return k;
      }

      @Override
      public int available() throws IOException {
        return (int) Math.min(super.available(), left);
      }

      @Override
      public boolean markSupported() {
        return false;
      }
    };
  }

  /**
   * Forgets {@code e}: its message file first (the commit point), then a saved state file. The
   * directory is not forced here: the next add's force covers it (see the class comment).
   */
  void remove(OutboxEntry e) throws IOException {
    boolean old;
    synchronized (this) {
      entries.remove(e.id);
      Long size = sizes.remove(e.id);
      if (size != null) {
        bytes -= size;
      }
      old = legacy.remove(e.id) != null;
    }
    if (old) {
      Files.deleteIfExists(dir.resolve(e.id + ".state"));
      Files.deleteIfExists(dir.resolve(e.id + ".msg"));
      forceDirectory();
      return;
    }
    Files.deleteIfExists(dir.resolve(e.id + ".out"));
    Files.deleteIfExists(dir.resolve(e.id + ".state"));
  }

  private void writeState(OutboxEntry e) throws IOException {
    AtomicFiles.replace(
        dir.resolve(e.id + ".state"), cipher.seal(e.encode(), aad(e.id, "state")), true);
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
