package org.epost.mail.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;
import org.epost.mail.delivery.DeliveryConfig;
import org.epost.mail.delivery.InboxDelivery;
import org.epost.mail.mailbox.MailAccounts;
import org.epost.mail.mailbox.MailboxConfig;
import org.epost.mail.submit.RecipientState;
import org.epost.mail.submit.SenderAccount;
import org.epost.mail.submit.SubmissionBackends;
import org.epost.mail.submit.SubmissionConfig;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.ReceivedNotification;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SubmissionBackend;
import org.epost.smtp.api.SubmissionException;

/**
 * The mail parts of this build, joined to the daemon (ADR 0122): the account on POST from {@link
 * MailAccounts}, delivery into INBOX from {@link InboxDelivery}, submission, outbox and delivery
 * ledger from {@link SenderAccount}.
 */
final class PostMailParts implements MailParts {
  @Override
  public CompletionStage<MailAccount> open(
      AccountServices services, String device, DaemonConfig config) {
    return MailAccounts.open(services, MailboxConfig.defaults(device));
  }

  @Override
  public AccountDelivery delivery(
      MailAccount account, AccountServices services, String authservId, DaemonConfig config) {
    return delivery(account, services, authservId, config, m -> {});
  }

  @Override
  public AccountDelivery delivery(
      MailAccount account,
      AccountServices services,
      String authservId,
      DaemonConfig config,
      java.util.function.Consumer<org.epost.mail.delivery.NewMail> newMail) {
    InboxDelivery inbox =
        InboxDelivery.create(
            account,
            services,
            DeliveryConfig.defaults(authservId, Set.copyOf(config.gatewayAccounts())));
    inbox.onNewMail(newMail);
    return new Delivery(inbox);
  }

  @Override
  public AccountSubmission submission(
      MailAccount account, AccountServices services, DaemonConfig config) throws IOException {
    return new Submission(
        SenderAccount.open(account, services, SubmissionConfig.defaults(config.smtpHostname())));
  }

  @Override
  public Optional<SubmissionBackend> gateway(AccountSubmission account) {
    return Optional.of(SubmissionBackends.gateway(((Submission) account).sender));
  }

  /** What files an account's notifications into its INBOX. */
  private static final class Delivery implements AccountDelivery {
    private final InboxDelivery inbox;

    Delivery(InboxDelivery inbox) {
      this.inbox = inbox;
    }

    @Override
    public CompletionStage<Void> received(ReceivedNotification notification) {
      return inbox.deliver(notification);
    }

    @Override
    public void close() {
      inbox.close();
    }
  }

  /** One account's submission side: the ring backend over its sender, its outbox and ledger. */
  private static final class Submission implements AccountSubmission {
    private final SenderAccount sender;
    private final SubmissionBackend backend;

    Submission(SenderAccount sender) {
      this.sender = sender;
      this.backend = SubmissionBackends.submission(List.of(sender));
    }

    @Override
    public void checkSender(String reversePath, String authenticatedUser)
        throws SubmissionException {
      backend.checkSender(reversePath, authenticatedUser);
    }

    @Override
    public void checkRecipient(String address) throws SubmissionException {
      backend.checkRecipient(address);
    }

    @Override
    public void deliver(Envelope envelope, InputStream message) throws SubmissionException {
      backend.deliver(envelope, message);
    }

    @Override
    public void stateChanged(NotificationStatus status) {
      sender.stateChanged(status);
    }

    @Override
    public int outboxSize() {
      return sender.queued();
    }

    @Override
    public List<String> deliveryStatus(String messageId) {
      List<String> lines = new ArrayList<>();
      for (RecipientState r : sender.ledger().status(messageId)) {
        lines.add(
            r.recipient()
                + " "
                + r.state().name().toLowerCase(java.util.Locale.ROOT)
                + (r.reason().isEmpty() ? "" : " (" + r.reason() + ")")
                + " since "
                + Instant.ofEpochMilli(r.changedAtMillis()));
      }
      return lines;
    }

    @Override
    public List<org.epost.mail.submit.DeliveryLedger.Sent> recentSent(int max) {
      return sender.ledger().recent(max);
    }

    @Override
    public void close(Duration grace) {
      sender.close();
    }
  }
}
