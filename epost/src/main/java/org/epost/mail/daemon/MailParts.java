package org.epost.mail.daemon;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.NotificationStatus;
import org.epost.smtp.api.SubmissionBackend;

/**
 * The seam between the daemon and the mail parts (ADR 0122): the account on POST ({@code
 * org.epost.mail.mailbox}), what arrives ({@code org.epost.mail.delivery}) and what is submitted
 * ({@code org.epost.mail.submit}). The daemon owns the order (attach, open, install delivery, start
 * submission, start listeners; the reverse on stop); the parts own the mail. {@link PostMailParts}
 * is the product's; the daemon's lifecycle tests put their own behind it.
 *
 * <p>Threading: every method is called off the node's loop, on the daemon's start or stop thread.
 */
interface MailParts {
  /**
   * Opens the account's mail on its POST services; {@code device} is the device the user was
   * attached with. The daemon waits for the stage with the node's ready timeout.
   */
  CompletionStage<MailAccount> open(AccountServices services, String device, DaemonConfig config);

  /**
   * What files the account's notifications into its INBOX (with {@code Authentication-Results}
   * naming {@code authservId}, the ring's mail domain), installed into the account's {@code
   * AccountListener} once the account is open; called on the node's loop for every notification,
   * and acknowledged when its stage completes.
   */
  AccountDelivery delivery(
      MailAccount account, AccountServices services, String authservId, DaemonConfig config);

  /**
   * As {@link #delivery(MailAccount, AccountServices, String, DaemonConfig)}, telling {@code
   * newMail} of each message filed from a verified sender (the desktop's notification, ADR 0133).
   * Mail parts without such news ignore it.
   */
  default AccountDelivery delivery(
      MailAccount account,
      AccountServices services,
      String authservId,
      DaemonConfig config,
      java.util.function.Consumer<org.epost.mail.delivery.NewMail> newMail) {
    return delivery(account, services, authservId, config);
  }

  /**
   * The submission side of the account: what the SMTP proxy hands a message that {@code account}'s
   * user submitted (the daemon's {@link SmtpFrontDoor} calls {@code deliver} only for envelopes
   * whose authenticated user is this account), its local outbox and its delivery ledger; the states
   * of what it sent reach it through {@code delivery}.
   *
   * @throws IOException if the account's submission state cannot be opened
   */
  AccountSubmission submission(MailAccount account, AccountServices services, DaemonConfig config)
      throws IOException;

  /**
   * The Internet gateway's backend storing as {@code account} (ADR 0116): every accepted message is
   * stored under that account and announced to its ring recipients as from the Internet. Empty when
   * these mail parts have no gateway.
   */
  default Optional<SubmissionBackend> gateway(AccountSubmission account) {
    return Optional.empty();
  }

  /** One account's delivery: files what arrives; {@link #close} stops it. */
  interface AccountDelivery extends NotificationListener, AutoCloseable {
    @Override
    void close();
  }

  /** One account's submission side. */
  interface AccountSubmission extends SubmissionBackend {
    /** A notification this account sent changed state (called on the node's loop). */
    void stateChanged(NotificationStatus status);

    /** Messages acknowledged ("250") and held in the local outbox until the ring takes them. */
    int outboxSize();

    /**
     * What the delivery ledger says about the message with {@code messageId} (angle brackets
     * optional): one line per recipient, empty when the ledger does not know the message.
     */
    List<String> deliveryStatus(String messageId);

    /** The newest {@code max} messages of the delivery ledger, newest first (status page). */
    default List<org.epost.mail.submit.DeliveryLedger.Sent> recentSent(int max) {
      return List.of();
    }

    /**
     * Stops taking messages: a {@code deliver} in flight may finish within {@code grace}; later
     * ones, and those still running then, fail with a 4xx status (the client retries); whatever was
     * acknowledged is durable (on the ring or in the outbox, which drains at the next start).
     */
    void close(Duration grace);
  }
}
