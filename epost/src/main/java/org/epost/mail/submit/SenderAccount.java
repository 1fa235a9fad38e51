package org.epost.mail.submit;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.api.UserIdentity;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;
import org.epost.mail.api.MailNotice;
import org.epost.post.api.NotificationState;
import org.epost.post.api.NotificationStatus;
import org.epost.smtp.api.DeliveryStatusNotification;
import org.epost.smtp.api.SubmissionException;

/**
 * The sending side of one account on this node: its outbox, its delivery ledger and the thread that
 * moves the outbox onto the ring. The SMTP backends ({@link SubmissionBackends}) hand it the
 * messages the account's mail client submits (or, for the gateway's own account, the mail that
 * arrives from the Internet).
 *
 * <p>Files: {@code <accountDirectory>/submit/outbox/} (owner-only) and {@code
 * <accountDirectory>/submit/ledger.log}, both encrypted under a key derived from the user's
 * identity. Opening resumes whatever the outbox holds (a restart of the daemon).
 *
 * <p>Threading: every public method may be called from any thread, {@link #stateChanged} also from
 * the node's loop (it only hands work over).
 */
public final class SenderAccount implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SenderAccount.class.getName());

  private final MailAccount account;
  private final String address;
  private final SubmissionConfig config;
  private final Outbox outbox;
  private final DeliveryLedger ledger;
  private final Dispatcher dispatcher;
  private final FailureReports reports;
  private final RingAccess ring;
  private final ScheduledExecutorService exec;
  private final Clock clock;

  private SenderAccount(
      MailAccount account,
      SubmissionConfig config,
      Outbox outbox,
      DeliveryLedger ledger,
      RingAccess ring,
      ScheduledExecutorService exec,
      Clock clock) {
    this.account = account;
    this.address = account.address();
    this.config = config;
    this.outbox = outbox;
    this.ledger = ledger;
    this.ring = ring;
    this.exec = exec;
    this.clock = clock;
    this.reports = new FailureReports(account, config.reportingHost(), clock);
    this.dispatcher =
        new Dispatcher(
            account, ring, outbox, ledger, reports, config, exec, clock, new SecureRandom());
  }

  /**
   * Opens the sending side of {@code account} on the POST services it is built on, and resumes its
   * outbox.
   *
   * @throws IOException if the account's submit directory cannot be created or is not owner-only
   */
  public static SenderAccount open(
      MailAccount account, AccountServices services, SubmissionConfig config) throws IOException {
    ScheduledExecutorService exec = executor(account.address());
    try {
      return open(
          account,
          services.identity(),
          services.accountDirectory(),
          RingAccess.of(services, exec),
          exec,
          config,
          Clock.systemUTC());
    } catch (IOException | RuntimeException e) {
      exec.shutdownNow();
      throw e;
    }
  }

  static SenderAccount open(
      MailAccount account,
      UserIdentity identity,
      Path accountDirectory,
      RingAccess ring,
      ScheduledExecutorService exec,
      SubmissionConfig config,
      Clock clock)
      throws IOException {
    Path dir = accountDirectory.resolve("submit");
    Outbox.ownerOnlyDirectory(dir);
    SecureRandom random = new SecureRandom();
    Outbox outbox =
        Outbox.open(
            dir.resolve("outbox"),
            AtRestCipher.forIdentity(identity, "outbox", random),
            config.maxOutboxMessages(),
            config.maxOutboxBytes(),
            random);
    DeliveryLedger ledger =
        DeliveryLedger.open(
            dir.resolve("ledger.log"),
            AtRestCipher.forIdentity(identity, "ledger", random),
            config.ledgerMessages());
    SenderAccount s =
        new SenderAccount(
            Objects.requireNonNull(account), config, outbox, ledger, ring, exec, clock);
    s.dispatcher.resumeAll();
    return s;
  }

  static ScheduledExecutorService executor(String address) {
    ScheduledThreadPoolExecutor exec =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "epost-submit-" + address);
              t.setDaemon(true);
              return t;
            });
    exec.setRemoveOnCancelPolicy(true);
    exec.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return exec;
  }

  /** The account's address (as certified). */
  public String address() {
    return address;
  }

  /** The delivery states of what this account sent: {@code ledger().status(messageId)}. */
  public DeliveryLedger ledger() {
    return ledger;
  }

  /** Messages waiting in the outbox for the ring. */
  public int queued() {
    return outbox.size();
  }

  /**
   * A notification this account sent changed state ({@code NotificationListener.stateChanged}): the
   * ledger records it, and a failure files a delivery status notification into this account's
   * INBOX. Any thread, including the node's loop.
   */
  public void stateChanged(NotificationStatus status) {
    long now = clock.millis();
    if (exec.isShutdown()) {
      return;
    }
    exec.execute(
        () ->
            ledger
                .notificationChanged(status, now)
                .ifPresent(
                    link -> {
                      if (status.state() == NotificationState.FAILED) {
                        RecipientState s = ledger.current(link);
                        reports
                            .file(
                                status.id().toString(),
                                address,
                                link.messageId(),
                                now,
                                List.of(
                                    new DeliveryStatusNotification.FailedRecipient(
                                        link.recipient(), s.reason(), "x-epost")),
                                null)
                            .whenComplete(
                                (uid, t) -> {
                                  if (t != null) {
                                    LOG.log(
                                        Level.WARNING,
                                        "delivery report for " + link.messageId() + " not filed",
                                        t);
                                  }
                                });
                      }
                    }));
  }

  /** The ring is (back) reachable: retry the outbox now rather than at its next backoff. */
  public void ringAvailable() {
    dispatcher.wake();
  }

  /**
   * Accepts one message: fsynced in the outbox, then handed to the ring; completes with the first
   * attempt's outcome (the caller waits at most {@link SubmissionConfig#ringWait()}).
   */
  CompletableFuture<Dispatcher.Outcome> accept(
      MailNotice.Origin origin,
      String reversePath,
      String messageId,
      String clientAddress,
      List<String> recipients,
      InputStream message)
      throws SubmissionException {
    OutboxEntry e =
        outbox.add(
            origin, reversePath, messageId, clientAddress, recipients, clock.millis(), message);
    return dispatcher.submit(e);
  }

  MailAccount account() {
    return account;
  }

  RingAccess ring() {
    return ring;
  }

  SubmissionConfig config() {
    return config;
  }

  /** Stops the outbox thread; what is not on the ring stays in the outbox for the next start. */
  @Override
  public void close() {
    dispatcher.close();
    exec.shutdown();
    try {
      if (!exec.awaitTermination(5, TimeUnit.SECONDS)) {
        exec.shutdownNow();
      }
    } catch (InterruptedException e) {
      exec.shutdownNow();
      Thread.currentThread().interrupt();
    }
    ledger.close();
  }
}
