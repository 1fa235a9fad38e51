package org.epost.smtp.relay;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.api.SubmissionBackend;
import org.epost.smtp.api.SubmissionException;

/**
 * Delivers queued messages to the smarthost, one at a time, on the thread {@code smtp-relay}. After
 * each attempt the entry's state is written durably before anything else happens; a message
 * delivered but not yet recorded when the process dies is sent again after restart (the receiver
 * drops the copy by Message-ID). Retries follow {@link RetrySchedule}; after the configured expiry
 * the remaining recipients fail and the sender gets a DSN, through the backend if the sender is
 * local, through this queue otherwise.
 *
 * <p>Threading: entries are added from the committer thread; everything else runs on the worker
 * thread. Time comes from the injected clock; waiting uses a condition that an added entry signals.
 */
public final class RelayWorker implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RelayWorker.class.getName());

  private final OutboundQueue queue;
  private final RelayConfig config;
  private final Clock clock;
  private final RetrySchedule schedule;
  private final SubmissionBackend backend;
  private final Predicate<String> isLocalDomain;
  private final Map<String, QueueEntry> entries = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Thread thread;
  private volatile boolean closed;

  public RelayWorker(
      OutboundQueue queue,
      RelayConfig config,
      Clock clock,
      RandomGenerator random,
      SubmissionBackend backend,
      Predicate<String> isLocalDomain)
      throws IOException {
    this.queue = queue;
    this.config = config;
    this.clock = clock;
    this.schedule = new RetrySchedule(config.firstRetry(), config.maxRetry(), random);
    this.backend = backend;
    this.isLocalDomain = isLocalDomain;
    queue.onCommitted(this::add);
    for (QueueEntry e : queue.loadAll()) {
      entries.putIfAbsent(e.id, e);
    }
    this.thread = new Thread(this::run, "smtp-relay");
    thread.setDaemon(true);
  }

  /** Starts delivering. */
  public void start() {
    thread.start();
  }

  private void add(QueueEntry entry) {
    entries.putIfAbsent(entry.id, entry);
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Messages not yet finished (for status displays and tests). */
  public int pendingMessages() {
    return entries.size();
  }

  private void run() {
    while (!closed) {
      try {
        long now = clock.millis();
        Optional<QueueEntry> next =
            entries.values().stream().min(Comparator.comparingLong(e -> e.nextAttemptMillis));
        if (next.isPresent() && next.get().nextAttemptMillis <= now) {
          attempt(next.get());
          continue;
        }
        long wait = next.map(e -> e.nextAttemptMillis - now).orElse(60_000L);
        lock.lock();
        try {
          if (!closed) {
            changed.await(Math.min(wait, 60_000L), java.util.concurrent.TimeUnit.MILLISECONDS);
          }
        } finally {
          lock.unlock();
        }
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.ERROR, "relay queue trouble, pausing before the next try", e);
        sleepQuietly(1000);
      }
    }
  }

  private void attempt(QueueEntry entry) throws IOException {
    long now = clock.millis();
    List<QueueEntry.Recipient> pending = entry.pending();
    if (!pending.isEmpty() && now - entry.createdMillis >= config.expiry().toMillis()) {
      for (QueueEntry.Recipient r : pending) {
        r.state = QueueEntry.RecipientState.FAILED;
        r.lastReply =
            "451 4.4.7 delivery time expired after "
                + config.expiry()
                + "; last reply: "
                + r.lastReply;
      }
      queue.update(entry);
    } else if (!pending.isEmpty()) {
      List<SmarthostClient.Outcome> outcomes =
          new SmarthostClient(config)
              .deliver(
                  entry.reversePath,
                  pending.stream().map(r -> r.address).toList(),
                  () -> queue.message(entry));
      boolean decided = false;
      for (SmarthostClient.Outcome o : outcomes) {
        for (QueueEntry.Recipient r : pending) {
          if (r.address.equals(o.recipient())) {
            r.lastReply = o.reply().text().replace('\n', ' ');
            if (o.reply().positive()) {
              r.state = QueueEntry.RecipientState.DELIVERED;
              decided = true;
            } else if (o.reply().permanent()) {
              r.state = QueueEntry.RecipientState.FAILED;
              decided = true;
            }
          }
        }
      }
      entry.attempts++;
      boolean finished = entry.pending().isEmpty();
      // Record decisions durably unless the entry is about to be removed anyway (all
      // delivered): a crash before that removal resends, which Message-ID covers.
      if (decided && (!finished || !entry.failed().isEmpty())) {
        queue.update(entry);
      }
      if (!finished) {
        entry.nextAttemptMillis = clock.millis() + schedule.delayAfter(entry.attempts);
        LOG.log(
            Level.DEBUG,
            () -> "relay of " + entry.messageId + " deferred, attempt " + entry.attempts);
        return;
      }
    }
    finish(entry);
  }

  /** All recipients decided: bounce the failed ones to the sender, then remove the entry. */
  private void finish(QueueEntry entry) throws IOException {
    List<QueueEntry.Recipient> failed = entry.failed();
    if (!failed.isEmpty() && !entry.isBounce && !entry.reversePath.isEmpty()) {
      try {
        bounce(entry, failed);
      } catch (SubmissionException e) {
        LOG.log(Level.WARNING, "DSN for " + entry.messageId + " not stored yet, retrying later", e);
        entry.nextAttemptMillis = clock.millis() + schedule.delayAfter(++entry.attempts);
        return;
      }
    }
    queue.remove(entry);
    entries.remove(entry.id);
  }

  private void bounce(QueueEntry entry, List<QueueEntry.Recipient> failed)
      throws IOException, SubmissionException {
    String report;
    try (InputStream original = queue.message(entry)) {
      report =
          DeliveryStatusReport.compose(config.heloName(), entry, failed, original, clock.instant());
    }
    byte[] bytes = report.getBytes(StandardCharsets.UTF_8);
    String dsnId = "<dsn-" + entry.id + "@" + config.heloName() + ">";
    Envelope envelope =
        new Envelope("", List.of(entry.reversePath), dsnId, Optional.empty(), "127.0.0.1");
    String domain = entry.reversePath.substring(entry.reversePath.lastIndexOf('@') + 1);
    if (isLocalDomain.test(domain)) {
      backend.deliver(envelope, new ByteArrayInputStream(bytes));
    } else {
      OutboundQueue.Staged staged = queue.stage(envelope, new ByteArrayInputStream(bytes), true);
      staged.commit();
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(5000);
      if (thread.isAlive()) {
        thread.interrupt(); // stuck in a smarthost exchange: its state file is rewritten on restart
        thread.join(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
