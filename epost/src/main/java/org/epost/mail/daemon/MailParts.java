package org.epost.mail.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;
import org.epost.post.api.NotificationListener;
import org.epost.smtp.api.SubmissionBackend;

/**
 * The seam between the daemon and the mail parts the other epost packages build (ADR 0122): the
 * account on POST ({@code org.epost.mail.mailbox.MailAccounts.open}), what arrives ({@code
 * org.epost.mail.delivery}) and what is submitted ({@code org.epost.mail.submit}). The daemon owns
 * the order (open, install delivery, start submission, start listeners; the reverse on stop); the
 * parts own the mail. {@link InstalledMailParts#get} returns the implementation this build has.
 *
 * <p>Threading: every method is called off the node's loop, on the daemon's start or stop thread.
 */
interface MailParts {
  /**
   * Opens the account's mail on its POST services ({@code MailAccounts.open(services, config)}).
   * The daemon waits for the stage with the node's ready timeout.
   */
  CompletionStage<MailAccount> open(AccountServices services, DaemonConfig config);

  /**
   * What files the account's notifications into its INBOX (with {@code Authentication-Results}),
   * called on the node's loop for every notification the account receives (ADR 0122: the daemon
   * attaches the user with a {@link DeferredListener} and installs this one once the account is
   * open).
   */
  NotificationListener delivery(MailAccount account, AccountServices services);

  /**
   * The submission side of the account: what the SMTP proxy hands a message that {@code account}'s
   * user submitted (the daemon's {@link SmtpFrontDoor} calls {@code deliver} only for envelopes
   * whose authenticated user is this account), its local outbox in {@code stateDirectory}, its
   * delivery ledger.
   */
  AccountSubmission submission(
      MailAccount account, AccountServices services, Path stateDirectory, DaemonConfig config);

  /**
   * What the delivery ledger in {@code stateDirectory} (an account's {@code submit/}) says about
   * the message with {@code messageId} (angle brackets optional): one line per recipient, empty
   * when the ledger does not know the message. Reads the disk only: works with the daemon stopped.
   */
  List<String> deliveryStatus(Path stateDirectory, String messageId) throws java.io.IOException;

  /** One account's submission side. */
  interface AccountSubmission extends SubmissionBackend {
    /** Messages acknowledged ("250") and held in the local outbox until the ring takes them. */
    int outboxSize();

    /**
     * Stops taking messages: a {@code deliver} in flight may finish within {@code grace}; later
     * ones, and those still running then, fail with a 4xx status (the client retries); whatever was
     * acknowledged is durable (on the ring or in the outbox, which drains at the next start).
     */
    void close(Duration grace);
  }
}
