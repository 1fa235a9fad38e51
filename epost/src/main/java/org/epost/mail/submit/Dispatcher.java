package org.epost.mail.submit;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.epost.mail.api.MailAccount;
import org.epost.mail.api.MailNotice;
import org.epost.mail.api.StoredMail;
import org.epost.smtp.api.DeliveryStatusNotification;
import org.epost.smtp.api.SubmissionException;

/**
 * Moves outbox entries onto the ring: stores the message once through the account, notifies every
 * pending recipient, records each step in the ledger and the entry's state file, retries what
 * failed retryably with a doubling, jittered delay, gives recipients up when they fail for good or
 * stay undelivered past {@link SubmissionConfig#undeliverableAfter()} (a delivery status
 * notification goes to the sender), and removes an entry once every recipient is decided.
 *
 * <p>Disk: an entry's state file is rewritten only when the entry has to wait (a retry, a report to
 * file) and deleted when it is settled; the ledger is forced once before either. On the way of a
 * message the ring takes at once, that is two forces on this thread (the ledger, the outbox
 * directory), besides the outbox's add on the SMTP thread; the first outcome (the client's "250")
 * completes before these two, since what it promises is already durable on the ring.
 *
 * <p>Threading: every entry is touched only on {@code exec}, one thread; stages from the account
 * and the ring hop back onto it.
 */
final class Dispatcher {
  private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

  /** What a submission's first attempt came to. */
  enum Outcome {
    /** Every recipient notified (or given up with a report). */
    DONE,
    /** Kept in the outbox; retried in the background. */
    QUEUED
  }

  private final MailAccount account;
  private final RingAccess ring;
  private final Outbox outbox;
  private final DeliveryLedger ledger;
  private final FailureReports reports;
  private final SubmissionConfig config;
  private final ScheduledExecutorService exec;
  private final Clock clock;
  private final Random jitter;
  private volatile boolean closed;

  Dispatcher(
      MailAccount account,
      RingAccess ring,
      Outbox outbox,
      DeliveryLedger ledger,
      FailureReports reports,
      SubmissionConfig config,
      ScheduledExecutorService exec,
      Clock clock,
      Random jitter) {
    this.account = account;
    this.ring = ring;
    this.outbox = outbox;
    this.ledger = ledger;
    this.reports = reports;
    this.config = config;
    this.exec = exec;
    this.clock = clock;
    this.jitter = jitter;
  }

  /** Starts (or resumes, after a restart) every entry the outbox holds. */
  void resumeAll() {
    exec.execute(
        () -> {
          for (OutboxEntry e : outbox.entries()) {
            kick(e);
          }
        });
  }

  /** Tries every waiting entry now (the ring is back, or a submission just got through). */
  void wake() {
    exec.execute(
        () -> {
          for (OutboxEntry e : outbox.entries()) {
            if (e.retryScheduled) {
              kick(e);
            }
          }
        });
  }

  /** Takes a new entry: QUEUED in the ledger, first attempt now. */
  CompletableFuture<Outcome> submit(OutboxEntry e) {
    for (OutboxEntry.Recipient r : e.recipients) {
      ledger.recordDeferred(e.messageId, r.address, DeliveryState.QUEUED, "", e.createdMillis);
    }
    exec.execute(() -> kick(e));
    return e.firstOutcome;
  }

  void close() {
    closed = true;
  }

  private void kick(OutboxEntry e) {
    if (e.inFlight || e.removed || closed) {
      return;
    }
    e.inFlight = true;
    e.retryScheduled = false;
    e.attempts++;
    attempt(e)
        .whenCompleteAsync(
            (v, t) -> {
              e.inFlight = false;
              if (t != null) {
                LOG.log(Level.ERROR, "outbox entry " + e.id + " failed unexpectedly", t);
              }
              finish(e, t == null ? v : t);
            },
            exec);
  }

  /** One pass; completes with null or with the store's failure. */
  private CompletableFuture<Throwable> attempt(OutboxEntry e) {
    if (e.attempts == 1) {
      e.attemptNanos = System.nanoTime();
    }
    CompletableFuture<StoredMail> stored;
    if (e.stored != null) {
      stored = CompletableFuture.completedFuture(e.stored);
    } else {
      stored = storeMessage(e);
    }
    return stored
        .thenComposeAsync(
            mail -> {
              if (e.stored == null) {
                e.stored = mail;
                e.storedNanos = System.nanoTime();
                for (OutboxEntry.Recipient r : e.pending()) {
                  ledger.recordDeferred(
                      e.messageId, r.address, DeliveryState.STORED, "", clock.millis());
                }
                // Not saved here: the notifications follow at once, and the entry is saved (with
                // the stored reference) only if it has to wait for a retry. A crash in between
                // stores the message once more at the restart.
              }
              fileSentCopy(e);
              List<CompletableFuture<Void>> sends = new ArrayList<>();
              MailNotice notice =
                  new MailNotice(mail, e.origin, e.reversePath, e.clientAddress, e.messageId);
              byte[] reference = notice.reference();
              byte[] summary = notice.summary();
              for (OutboxEntry.Recipient r : e.pending()) {
                sends.add(notifyOne(e, r, reference, summary));
              }
              return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                  .thenApply(v -> (Throwable) null);
            },
            exec)
        .exceptionally(t -> t);
  }

  private CompletableFuture<StoredMail> storeMessage(OutboxEntry e) {
    InputStream message;
    try {
      message = outbox.openMessage(e);
    } catch (IOException io) {
      return CompletableFuture.failedFuture(io);
    }
    CompletableFuture<StoredMail> f;
    try {
      f =
          account
              .store(message)
              .toCompletableFuture()
              .orTimeout(attemptTimeoutMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException ex) {
      f = CompletableFuture.failedFuture(ex);
    }
    return f.whenComplete((m, t) -> closeQuietly(message));
  }

  private CompletableFuture<Void> notifyOne(
      OutboxEntry e, OutboxEntry.Recipient r, byte[] reference, byte[] summary) {
    return ring.certificate(r.address)
        .thenCompose(cert -> ring.notify(cert, reference, summary))
        .orTimeout(attemptTimeoutMillis(), TimeUnit.MILLISECONDS)
        .handleAsync(
            (id, t) -> {
              if (t == null) {
                r.progress = OutboxEntry.Progress.NOTIFIED;
                r.reason = "";
                ledger.notifiedDeferred(e.messageId, r.address, id, clock.millis());
              } else if (Failures.retryable(t)) {
                r.reason = Failures.reply(t);
              } else {
                r.progress = OutboxEntry.Progress.FAILED;
                r.reason = Failures.reply(t);
                ledger.recordDeferred(
                    e.messageId, r.address, DeliveryState.FAILED, r.reason, clock.millis());
              }
              return null;
            },
            exec);
  }

  private void fileSentCopy(OutboxEntry e) {
    if (!config.fileSentCopy() || e.sentCopyFiled || e.origin != MailNotice.Origin.RING) {
      return;
    }
    e.sentCopyFiled = true; // one try per store: a copy twice in Sent is worse than none
    save(e);
    account
        .file("Sent", e.stored, new byte[0], Set.of("\\Seen"))
        .whenComplete(
            (uid, t) -> {
              if (t != null) {
                LOG.log(Level.WARNING, "Sent copy of " + e.messageId + " not filed", t);
              }
            });
  }

  private void finish(OutboxEntry e, Throwable storeFailure) {
    long now = clock.millis();
    if (storeFailure != null && !Failures.retryable(storeFailure)) {
      String reply = Failures.reply(storeFailure);
      if (!e.firstOutcome.isDone()) {
        // The client is still waiting: it hears the refusal; nothing was accepted.
        for (OutboxEntry.Recipient r : e.recipients) {
          ledger.recordDeferred(e.messageId, r.address, DeliveryState.FAILED, reply, now);
        }
        remove(e);
        e.firstOutcome.completeExceptionally(
            new SubmissionException(
                Failures.refusal(storeFailure),
                Failures.oneLine(Failures.unwrap(storeFailure).getMessage()),
                Failures.unwrap(storeFailure)));
        return;
      }
      giveUp(e, reply);
    } else if (storeFailure != null) {
      for (OutboxEntry.Recipient r : e.pending()) {
        r.reason = Failures.reply(storeFailure);
      }
    }
    if (!e.settled() && now - e.createdMillis >= config.undeliverableAfter().toMillis()) {
      giveUp(
          e,
          "451 4.4.7 Not delivered to the ring within "
              + config.undeliverableAfter().toHours()
              + " hours; last problem: "
              + e.pending().get(0).reason);
    }
    if (!e.settled()) {
      save(e);
      ledger.sync();
      scheduleRetry(e);
      e.firstOutcome.complete(Outcome.QUEUED);
      return;
    }
    List<DeliveryStatusNotification.FailedRecipient> failed = new ArrayList<>();
    for (OutboxEntry.Recipient r : e.recipients) {
      if (r.progress == OutboxEntry.Progress.FAILED) {
        failed.add(new DeliveryStatusNotification.FailedRecipient(r.address, r.reason, "smtp"));
      }
    }
    if (failed.isEmpty() || e.reportFiled || e.reversePath.isEmpty()) {
      // Settled: the client may hear "250" now (the message is on the ring at a majority and every
      // recipient's notification durable in its pending store). Removing the state file, the one
      // commit after that (the ledger forced first), follows: a crash in between leaves the entry
      // as a crash just before the reply would, to be notified again at the restart.
      e.firstOutcome.complete(Outcome.DONE);
      logTimes(e);
      remove(e);
      return;
    }
    save(e);
    ledger.sync();
    InputStream original;
    try {
      original = outbox.openMessage(e);
    } catch (IOException io) {
      original = null;
    }
    InputStream toClose = original;
    reports
        .file(e.id, e.reversePath, e.messageId, e.createdMillis, failed, original)
        .whenCompleteAsync(
            (uid, t) -> {
              closeQuietly(toClose);
              if (t == null) {
                e.reportFiled = true;
                remove(e);
                e.firstOutcome.complete(Outcome.DONE);
              } else {
                LOG.log(Level.WARNING, "delivery report for " + e.messageId + " not filed yet", t);
                scheduleRetry(e);
                e.firstOutcome.complete(Outcome.DONE);
              }
            },
            exec);
  }

  /**
   * At DEBUG, a message the first attempt settled: how long post-core's store and then the
   * notifications took on this node (from the attempt's start; the outbox's fsync is before it).
   * The real-node latency bench reads these lines (issue 14's send-to-notified, SMTP apart).
   */
  private void logTimes(OutboxEntry e) {
    if (e.attempts != 1 || e.storedNanos == 0 || !LOG.isLoggable(Level.DEBUG)) {
      return;
    }
    long now = System.nanoTime();
    LOG.log(
        Level.DEBUG,
        String.format(
            java.util.Locale.ROOT,
            "sent %s: store %.1f ms, notify %.1f ms, store and notify %.1f ms",
            e.messageId,
            (e.storedNanos - e.attemptNanos) / 1e6,
            (now - e.storedNanos) / 1e6,
            (now - e.attemptNanos) / 1e6));
  }

  private void giveUp(OutboxEntry e, String reply) {
    for (OutboxEntry.Recipient r : e.pending()) {
      r.progress = OutboxEntry.Progress.FAILED;
      r.reason = reply;
      ledger.recordDeferred(e.messageId, r.address, DeliveryState.FAILED, reply, clock.millis());
    }
  }

  private void scheduleRetry(OutboxEntry e) {
    if (closed) {
      return;
    }
    long first = config.firstRetry().toMillis();
    long max = config.maxRetry().toMillis();
    int shift = Math.min(30, Math.max(0, e.attempts - 1));
    long delay = Math.min(max, first << shift);
    delay = delay / 2 + (long) (jitter.nextDouble() * (delay / 2 + 1));
    e.retryScheduled = true;
    exec.schedule(
        () -> {
          if (e.retryScheduled) {
            kick(e);
          }
        },
        delay,
        TimeUnit.MILLISECONDS);
  }

  private void save(OutboxEntry e) {
    try {
      outbox.save(e);
    } catch (IOException io) {
      LOG.log(Level.ERROR, "cannot save outbox entry " + e.id + "; it will repeat a step", io);
    }
  }

  private void remove(OutboxEntry e) {
    e.removed = true;
    e.retryScheduled = false;
    ledger.sync(); // the entry's states are on disk before the outbox forgets it
    try {
      outbox.remove(e);
    } catch (IOException io) {
      LOG.log(Level.ERROR, "cannot remove outbox entry " + e.id, io);
    }
  }

  private long attemptTimeoutMillis() {
    return Math.max(60_000, config.ringWait().toMillis() * 6);
  }

  private static void closeQuietly(InputStream in) {
    if (in == null) {
      return;
    }
    try {
      in.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
