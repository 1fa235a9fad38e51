package org.epost.smtp.relay;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionException;
import org.epost.smtp.server.RelayQueue;

/**
 * The durable outbound queue on disk (docs/adr/0041).
 *
 * <pre>
 * queue/tmp/&lt;id&gt;.msg     staged: written, not yet committed (deleted on start)
 * queue/active/&lt;id&gt;.msg  committed: initial envelope + message + checksummed footer, immutable
 * queue/state/&lt;id&gt;.env   the entry's delivery state once a recipient was decided; replaced by rename
 * </pre>
 *
 * <p>Commit = rename {@code tmp -> active}, fsync the file, fsync {@code active/}; the server
 * answers 250 only after that. Sessions commit concurrently on their own threads, so the file
 * system's journal folds their fsyncs into shared commits (group commit). A file in {@code active/}
 * whose footer does not verify was cut by a crash before its fsync returned, so it was never
 * acknowledged: recovery deletes it. State changes that decide a recipient (delivered, failed) are
 * written durably before anything else happens; attempt counts and retry times live in memory only
 * (after a restart, pending entries are simply tried again). State files live in their own
 * directory so that their renames never make a commit's directory fsync more costly.
 *
 * <p>Thread-safe: sessions stage and commit concurrently; the relay worker updates and removes.
 */
public final class OutboundQueue implements RelayQueue, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(OutboundQueue.class.getName());

  private final Path tmp;
  private final Path active;
  private final Path state;
  private final Clock clock;
  private final int maxEntries;
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicInteger staged = new AtomicInteger();
  private volatile Consumer<QueueEntry> onCommitted = e -> {};
  private volatile boolean closed;

  /** Opens (creating if needed) the queue in {@code directory} and recovers after a crash. */
  public OutboundQueue(Path directory, Clock clock, int maxEntries) throws IOException {
    this.tmp = directory.resolve("tmp");
    this.active = directory.resolve("active");
    this.state = directory.resolve("state");
    this.clock = clock;
    this.maxEntries = maxEntries;
    Files.createDirectories(tmp);
    Files.createDirectories(active);
    Files.createDirectories(state);
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
      for (Path p : leftovers) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Every committed entry on disk, for the worker's start-up. Incomplete message files and state
   * files without a message are deleted; an unreadable state file is moved aside.
   */
  List<QueueEntry> loadAll() throws IOException {
    List<QueueEntry> entries = new ArrayList<>();
    try (DirectoryStream<Path> messages = Files.newDirectoryStream(active, "*.msg")) {
      for (Path msg : messages) {
        Optional<QueueFile.Opened> opened = QueueFile.open(msg);
        if (opened.isEmpty()) {
          LOG.log(
              Level.WARNING,
              () -> "incomplete queue file " + msg + " (never acknowledged) deleted");
          Files.deleteIfExists(msg);
          continue;
        }
        QueueEntry entry = opened.get().initial();
        Path env = state.resolve(entry.id + ".env");
        if (Files.exists(env)) {
          try {
            entry = QueueEntry.decode(Files.readAllBytes(env));
          } catch (IOException e) {
            LOG.log(
                Level.ERROR,
                "unreadable queue state " + env + " moved aside; initial state used",
                e);
            Files.move(env, env.resolveSibling(env.getFileName() + ".corrupt"));
          }
        }
        entry.messageOffset = opened.get().messageOffset();
        entry.messageLength = opened.get().messageLength();
        entries.add(entry);
      }
    }
    try (DirectoryStream<Path> states = Files.newDirectoryStream(state, "*.env")) {
      for (Path env : states) {
        String name = env.getFileName().toString();
        if (!Files.exists(active.resolve(name.substring(0, name.length() - 4) + ".msg"))) {
          Files.deleteIfExists(env); // its message was removed just before a crash
        }
      }
    }
    fsyncDirectory(active);
    fsyncDirectory(state);
    size.set(entries.size());
    return entries;
  }

  /** Who hears about newly committed entries (the relay worker). */
  void onCommitted(Consumer<QueueEntry> listener) {
    this.onCommitted = listener;
  }

  @Override
  public Staged stage(Envelope envelope, InputStream message) throws SubmissionException {
    return stage(envelope, message, false);
  }

  /** Stages a message; {@code bounce} marks a DSN, which never causes another DSN. */
  Staged stage(Envelope envelope, InputStream message, boolean bounce) throws SubmissionException {
    if (closed) {
      throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, "Relay queue is shutting down");
    }
    if (size.get() + staged.get() >= maxEntries) {
      throw new SubmissionException(
          SmtpStatus.INSUFFICIENT_STORAGE, "Relay queue is full, try again later");
    }
    long now = clock.millis();
    String id = Long.toString(now, 36) + "-" + UUID.randomUUID().toString().substring(0, 13);
    List<QueueEntry.Recipient> recipients = new ArrayList<>();
    for (String r : envelope.recipients()) {
      recipients.add(new QueueEntry.Recipient(r, QueueEntry.RecipientState.PENDING, ""));
    }
    QueueEntry entry =
        new QueueEntry(
            id, envelope.reversePath(), envelope.messageId(), now, bounce, recipients, 0, now);
    byte[] header = entry.encode();
    Path stagedFile = tmp.resolve(id + ".msg");
    staged.incrementAndGet();
    try {
      entry.messageOffset = header.length;
      entry.messageLength = QueueFile.write(stagedFile, header, message, false);
    } catch (IOException e) {
      staged.decrementAndGet();
      deleteQuietly(stagedFile);
      boolean full = String.valueOf(e.getMessage()).contains("No space");
      throw new SubmissionException(
          full ? SmtpStatus.INSUFFICIENT_STORAGE : SmtpStatus.TEMPORARY_FAILURE,
          "Cannot write the relay queue: " + e.getMessage(),
          e);
    }
    return new Staged() {
      private boolean finished;

      @Override
      public void commit() throws SubmissionException {
        if (finished) {
          return;
        }
        finished = true;
        staged.decrementAndGet();
        Path committed = active.resolve(id + ".msg");
        try {
          Files.move(stagedFile, committed, StandardCopyOption.ATOMIC_MOVE);
          try (FileChannel ch = FileChannel.open(committed, StandardOpenOption.WRITE)) {
            ch.force(true);
          }
          fsyncDirectory(active);
        } catch (IOException e) {
          // Not known to be durable: the client retries. If the file survives anyway it
          // is delivered too, and the receiver drops the copy by its Message-ID.
          throw new SubmissionException(
              SmtpStatus.TEMPORARY_FAILURE,
              "Cannot commit to the relay queue: " + e.getMessage(),
              e);
        }
        size.incrementAndGet();
        onCommitted.accept(entry);
      }

      @Override
      public void discard() {
        if (!finished) {
          finished = true;
          staged.decrementAndGet();
          deleteQuietly(stagedFile);
        }
      }
    };
  }

  /** The message part of an entry's file. */
  InputStream message(QueueEntry entry) throws IOException {
    return QueueFile.message(
        active.resolve(entry.id + ".msg"), entry.messageOffset, entry.messageLength);
  }

  /** Records an entry's state durably by replacing its state file. */
  void update(QueueEntry entry) throws IOException {
    Path next = tmp.resolve(entry.id + ".env.next");
    Files.deleteIfExists(next); // left over by an interrupted update
    try (FileChannel ch =
        FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(entry.encode()));
      ch.force(true);
    }
    Files.move(
        next,
        state.resolve(entry.id + ".env"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(state);
  }

  /** Removes a finished entry: the message first (durably), then its state file, if any. */
  void remove(QueueEntry entry) throws IOException {
    Files.deleteIfExists(active.resolve(entry.id + ".msg"));
    fsyncDirectory(active);
    Files.deleteIfExists(state.resolve(entry.id + ".env"));
    size.decrementAndGet();
  }

  /** Committed entries now. */
  public int size() {
    return size.get();
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot delete " + p + " (removed at next start)", e);
    }
  }

  /** Refuses new messages from now on. */
  @Override
  public void close() {
    closed = true;
  }
}
