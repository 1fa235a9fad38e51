package org.epost.mail.delivery;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;
import org.epost.mail.api.MailException;
import org.epost.mail.api.MailNotice;
import org.epost.post.api.PostException;
import org.epost.post.api.ReceivedNotification;

/**
 * Files what arrives for one account: a notification (already opened, signature and sender verified
 * by post-core) is decoded ({@link MailNotice}), the message it names is opened with the sender's
 * reference and its header section read (verified as the store verifies every block), the sender is
 * compared with the From header, and the message is filed into INBOX through {@link
 * MailAccount#file} with an {@code Authentication-Results} field and a {@code Received} line this
 * node adds. The returned stage completes once the message is filed (durable in the INBOX log):
 * that is when the notification may be acknowledged.
 *
 * <p>Failures: a notification that does not decode, or names a message that is not on the ring or
 * does not verify, is dropped (logged; retrying cannot help, and the sender's ledger eventually
 * shows it undelivered); a retryable failure (the ring or the account away) is retried with a
 * doubling delay up to {@link DeliveryConfig#maxAttempts()}, then the stage fails (the notification
 * stays pending on the ring once acknowledgement follows filing). The same message from the same
 * sender is filed once (a bounded memory of the last 10,000).
 *
 * <p>Threading: {@link #deliver} may be called on the node's loop; its work runs on the delivery's
 * own thread, and the stage completes there.
 */
public final class InboxDelivery implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(InboxDelivery.class.getName());
  private static final int REMEMBERED = 10_000;

  private final MailAccount account;
  private final MessageOpener opener;
  private final DeliveryConfig config;
  private final ScheduledExecutorService exec;
  private final Clock clock;
  private final Semaphore slots;
  private volatile Consumer<NewMail> newMail = m -> {};
  private final Map<String, Boolean> filed =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED;
        }
      };

  InboxDelivery(
      MailAccount account,
      MessageOpener opener,
      DeliveryConfig config,
      ScheduledExecutorService exec,
      Clock clock) {
    this.account = account;
    this.opener = opener;
    this.config = config;
    this.exec = exec;
    this.clock = clock;
    this.slots = new Semaphore(config.maxWaiting());
  }

  /** The delivery of {@code account}'s notifications on the POST services it is built on. */
  public static InboxDelivery create(
      MailAccount account, AccountServices services, DeliveryConfig config) {
    ScheduledExecutorService exec = executor(account.address());
    return new InboxDelivery(
        account, MessageOpener.of(services, exec), config, exec, Clock.systemUTC());
  }

  static ScheduledExecutorService executor(String address) {
    ScheduledThreadPoolExecutor exec =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "epost-delivery-" + address);
              t.setDaemon(true);
              return t;
            });
    exec.setRemoveOnCancelPolicy(true);
    exec.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return exec;
  }

  /**
   * Files the message {@code n} announces into INBOX; completes when it is filed (or dropped for
   * good), fails when it could not be filed after every attempt or too many are in progress.
   */
  public CompletionStage<Void> deliver(ReceivedNotification n) {
    if (!slots.tryAcquire()) {
      return CompletableFuture.failedFuture(
          new MailException(
              MailException.Kind.LIMIT, "too many notifications in progress; left pending"));
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    done.whenComplete((v, t) -> slots.release());
    try {
      exec.execute(() -> attempt(n, 1, done));
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(
          new MailException(MailException.Kind.CLOSED, "delivery stopped", e));
    }
    return done;
  }

  /**
   * Tells {@code listener} of every message filed from a verified sender ({@link NewMail}), on the
   * delivery's thread after the filing completed; the listener must not block.
   */
  public void onNewMail(Consumer<NewMail> listener) {
    this.newMail = Objects.requireNonNull(listener, "listener");
  }

  private void attempt(ReceivedNotification n, int attempt, CompletableFuture<Void> done) {
    MailNotice notice;
    try {
      notice = MailNotice.decode(n.messageReference(), n.partSummary());
    } catch (MailException e) {
      LOG.log(
          Level.WARNING,
          "dropping notification " + n.id() + " from " + n.senderAddress() + ": " + e.getMessage());
      done.complete(null);
      return;
    }
    String key = n.senderAddress() + " " + notice.mail().ref().block().id();
    if (filed.containsKey(key)) {
      done.complete(null);
      return;
    }
    boolean fromGateway =
        notice.origin() == MailNotice.Origin.INTERNET
            && config.gatewayAddresses().contains(n.senderAddress());
    AtomicReference<byte[]> headerRead = new AtomicReference<>();
    opener
        .open(notice.mail().ref())
        .thenComposeAsync(
            opened -> {
              byte[] header = opened.header();
              headerRead.set(header);
              if (opened.structurePart() != null) {
                account.alreadyRead(notice.mail(), opened.structurePart());
              }
              byte[] added = addedHeader(n, notice, fromGateway, header);
              return account.file("INBOX", notice.mail(), added, Set.of());
            },
            exec)
        .whenCompleteAsync(
            (uid, t) -> {
              if (t == null) {
                filed.put(key, Boolean.TRUE);
                done.complete(null);
                announce(n, fromGateway, headerRead.get(), uid);
              } else if (retryable(t) && attempt < config.maxAttempts()) {
                long delay =
                    Math.min(
                        config.maxRetry().toMillis(),
                        config.firstRetry().toMillis() << Math.min(20, attempt - 1));
                LOG.log(
                    Level.INFO,
                    "notification " + n.id() + " not filed yet (" + cause(t) + "); retrying");
                try {
                  exec.schedule(() -> attempt(n, attempt + 1, done), delay, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closed) {
                  done.completeExceptionally(cause(t));
                }
              } else if (retryable(t)) {
                done.completeExceptionally(cause(t));
              } else {
                LOG.log(
                    Level.WARNING,
                    "dropping notification "
                        + n.id()
                        + " from "
                        + n.senderAddress()
                        + ": its message cannot be filed: "
                        + cause(t));
                done.complete(null);
              }
            },
            exec);
  }

  private byte[] addedHeader(
      ReceivedNotification n, MailNotice notice, boolean fromGateway, byte[] header) {
    String authservId = config.authservId();
    String results;
    if (fromGateway) {
      results =
          AuthenticationResults.forInternet(
              authservId,
              n.senderAddress(),
              AuthenticationResults.commentSafe(notice.clientAddress()));
    } else {
      AuthenticationResults.FromCheck from =
          AuthenticationResults.compareFrom(header, n.senderAddress());
      results =
          AuthenticationResults.forRing(
              authservId,
              n.senderAddress(),
              n.senderCertificateSerial(),
              from.result(),
              from.address());
    }
    String received =
        AuthenticationResults.received(
            authservId,
            n.senderAddress(),
            n.id().toString(),
            account.address(),
            ZonedDateTime.now(clock));
    return (results + received).getBytes(StandardCharsets.UTF_8);
  }

  /** Tells the new-mail listener of a filed message whose sender is verified or the Internet. */
  private void announce(ReceivedNotification n, boolean fromGateway, byte[] header, long uid) {
    String subject = AuthenticationResults.decodedField(header, "subject");
    NewMail mail;
    if (fromGateway) {
      mail =
          new NewMail(
              account.address(),
              uid,
              AuthenticationResults.decodedField(header, "from"),
              subject,
              true);
    } else if (AuthenticationResults.compareFrom(header, n.senderAddress()).result()
        == AuthenticationResults.FromResult.PASS) {
      mail = new NewMail(account.address(), uid, n.senderAddress(), subject, false);
    } else {
      return; // From names another address, or none: no notification for an unverified sender
    }
    try {
      newMail.accept(mail);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "new-mail listener failed: " + e);
    }
  }

  private static Throwable cause(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static boolean retryable(Throwable failure) {
    Throwable t = cause(failure);
    if (t instanceof MailException m) {
      return m.retryable();
    }
    if (t instanceof PostException p) {
      return p.retryable();
    }
    return t instanceof java.util.concurrent.TimeoutException;
  }

  /** Stops filing; notifications in progress fail (they stay pending on the ring). */
  @Override
  public void close() {
    exec.shutdownNow();
  }
}
