package org.epost.smtp.relay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionException;
import org.epost.smtp.server.RelayQueue;

/**
 * The durable outbound queue on disk.
 *
 * <pre>
 * queue/tmp/&lt;id&gt;.msg, &lt;id&gt;.env   staged: written and fsynced, not yet committed
 * queue/active/&lt;id&gt;.msg             the message, immutable
 * queue/active/&lt;id&gt;.env             its envelope and delivery state; present = committed
 * </pre>
 *
 * <p>Commit renames the message, then the envelope into {@code active/} and fsyncs that directory;
 * the server answers 250 only after that fsync. Commits of concurrent sessions are batched by one
 * committer thread ({@code smtp-queue-commit}) so that one directory fsync covers many messages
 * (group commit). State changes replace the envelope file by rename. On start, {@code tmp/} is
 * emptied (nothing there was ever acknowledged) and a message without envelope is deleted (its
 * commit never completed).
 *
 * <p>Thread-safe: sessions stage and commit concurrently; the relay worker updates and removes.
 */
public final class OutboundQueue implements RelayQueue, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboundQueue.class.getName());

    private final Path tmp;
    private final Path active;
    private final Clock clock;
    private final int maxEntries;
    private final AtomicInteger size = new AtomicInteger();
    private final Map<String, Boolean> staged = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<PendingCommit> commits = new LinkedBlockingQueue<>();
    private final Thread committer;
    private volatile Consumer<QueueEntry> onCommitted = e -> { };
    private volatile boolean closed;

    private record PendingCommit(String id, QueueEntry entry, CompletableFuture<Void> done) {
    }

    /** Opens (creating if needed) the queue in {@code directory} and recovers after a crash. */
    public OutboundQueue(Path directory, Clock clock, int maxEntries) throws IOException {
        this.tmp = directory.resolve("tmp");
        this.active = directory.resolve("active");
        this.clock = clock;
        this.maxEntries = maxEntries;
        Files.createDirectories(tmp);
        Files.createDirectories(active);
        recover();
        this.committer = new Thread(this::commitLoop, "smtp-queue-commit");
        committer.setDaemon(true);
        committer.start();
    }

    private void recover() throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        }
        try (DirectoryStream<Path> messages = Files.newDirectoryStream(active, "*.msg")) {
            for (Path msg : messages) {
                String id = idOf(msg);
                if (!Files.exists(active.resolve(id + ".env"))) {
                    Files.deleteIfExists(msg);
                }
            }
        }
        fsyncDirectory(active);
        fsyncDirectory(tmp);
    }

    /** Every committed entry on disk, for the worker's start-up (corrupt envelopes are logged and kept aside). */
    List<QueueEntry> loadAll() throws IOException {
        List<QueueEntry> entries = new ArrayList<>();
        try (DirectoryStream<Path> envs = Files.newDirectoryStream(active, "*.env")) {
            for (Path env : envs) {
                try {
                    entries.add(QueueEntry.decode(Files.readAllBytes(env)));
                } catch (IOException e) {
                    LOG.log(Level.SEVERE, "unreadable queue envelope " + env + " moved aside", e);
                    Files.move(env, env.resolveSibling(env.getFileName() + ".corrupt"));
                }
            }
        }
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

    /** Stages a message; {@code bounce} marks a DSN that must never cause another DSN. */
    Staged stage(Envelope envelope, InputStream message, boolean bounce) throws SubmissionException {
        if (closed) {
            throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, "Relay queue is shutting down");
        }
        if (size.get() + staged.size() >= maxEntries) {
            throw new SubmissionException(SmtpStatus.INSUFFICIENT_STORAGE, "Relay queue is full, try again later");
        }
        String id = Long.toString(clock.millis(), 36) + "-" + UUID.randomUUID().toString().substring(0, 13);
        long now = clock.millis();
        List<QueueEntry.Recipient> recipients = new ArrayList<>();
        for (String r : envelope.recipients()) {
            recipients.add(new QueueEntry.Recipient(r, QueueEntry.RecipientState.PENDING, ""));
        }
        QueueEntry entry = new QueueEntry(id, envelope.reversePath(), envelope.messageId(), now, bounce,
                recipients, 0, now);
        staged.put(id, Boolean.TRUE);
        try {
            writeDurably(tmp.resolve(id + ".msg"), message);
            writeDurably(tmp.resolve(id + ".env"), new java.io.ByteArrayInputStream(entry.encode()));
        } catch (IOException e) {
            discard(id);
            boolean full = e.getMessage() != null && e.getMessage().contains("No space");
            throw new SubmissionException(full ? SmtpStatus.INSUFFICIENT_STORAGE : SmtpStatus.TEMPORARY_FAILURE,
                    "Cannot write the relay queue: " + e.getMessage(), e);
        }
        return new Staged() {
            private boolean finished;

            @Override
            public void commit() throws SubmissionException {
                CompletableFuture<Void> done = new CompletableFuture<>();
                commits.add(new PendingCommit(id, entry, done));
                try {
                    done.get();
                    finished = true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, "Interrupted while queueing", e);
                } catch (ExecutionException e) {
                    finished = true;
                    throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE,
                            "Cannot commit to the relay queue: " + e.getCause().getMessage(), e.getCause());
                }
            }

            @Override
            public void discard() {
                if (!finished) {
                    finished = true;
                    OutboundQueue.this.discard(id);
                }
            }
        };
    }

    private void discard(String id) {
        staged.remove(id);
        try {
            Files.deleteIfExists(tmp.resolve(id + ".msg"));
            Files.deleteIfExists(tmp.resolve(id + ".env"));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete staged " + id + " (removed at next start)", e);
        }
    }

    private void commitLoop() {
        List<PendingCommit> batch = new ArrayList<>();
        while (!closed || !commits.isEmpty()) {
            try {
                PendingCommit first = commits.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                commits.drainTo(batch);
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
                continue;
            }
            List<PendingCommit> renamed = new ArrayList<>();
            for (PendingCommit c : batch) {
                try {
                    Files.move(tmp.resolve(c.id + ".msg"), active.resolve(c.id + ".msg"), StandardCopyOption.ATOMIC_MOVE);
                    Files.move(tmp.resolve(c.id + ".env"), active.resolve(c.id + ".env"), StandardCopyOption.ATOMIC_MOVE);
                    renamed.add(c);
                } catch (IOException e) {
                    staged.remove(c.id);
                    c.done.completeExceptionally(e);
                }
            }
            try {
                fsyncDirectory(active);
                for (PendingCommit c : renamed) {
                    size.incrementAndGet();
                    staged.remove(c.id);
                    c.done.complete(null);
                    onCommitted.accept(c.entry);
                }
            } catch (IOException e) {
                // Not known to be durable: the client must retry. The entries stay and may be
                // delivered as well; the receiver drops the copy by Message-ID.
                renamed.forEach(c -> c.done.completeExceptionally(e));
            }
            batch.clear();
        }
    }

    /** The message file of an entry. */
    Path messageFile(QueueEntry entry) {
        return active.resolve(entry.id + ".msg");
    }

    /** Replaces an entry's envelope file with its current state, durably. */
    void update(QueueEntry entry) throws IOException {
        Path next = tmp.resolve(entry.id + ".env.next");
        Files.deleteIfExists(next); // left over by an interrupted update
        writeDurably(next, new java.io.ByteArrayInputStream(entry.encode()));
        Files.move(next, active.resolve(entry.id + ".env"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(active);
    }

    /** Removes a finished entry: envelope first (then it is gone for recovery), then message. */
    void remove(QueueEntry entry) throws IOException {
        Files.deleteIfExists(active.resolve(entry.id + ".env"));
        fsyncDirectory(active);
        try {
            Files.deleteIfExists(active.resolve(entry.id + ".msg"));
        } catch (NoSuchFileException ignored) {
            // already gone
        }
        size.decrementAndGet();
    }

    /** Committed entries now. */
    public int size() {
        return size.get();
    }

    private static void writeDurably(Path file, InputStream content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = content.read(buffer)) > 0) {
                ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
            }
            ch.force(true);
        } finally {
            content.close();
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static String idOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }

    /** Stops the committer after pending commits are done. */
    @Override
    public void close() {
        closed = true;
        try {
            committer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
