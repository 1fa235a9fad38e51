package org.epost.mail.submit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.epost.mail.api.MailAccount;
import org.epost.mail.api.MailNotice;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.MailAddress;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionBackend;
import org.epost.smtp.api.SubmissionException;

/**
 * The SMTP backend on the ring, in submission mode (local accounts, {@code gateway == null}) or in
 * gateway mode (everything stored as the gateway's account, origin Internet). See {@link
 * SubmissionBackends}.
 *
 * <p>Thread-safe: the proxy calls it from its backend threads; each call blocks for at most the
 * account's {@link SubmissionConfig#ringWait()} (the proxy's own timeout bounds it as well).
 */
final class RingSubmissionBackend implements SubmissionBackend {
  private final Map<String, SenderAccount> byAddress = new HashMap<>();
  private final SenderAccount gateway;
  private final SenderAccount directoryUser;

  RingSubmissionBackend(List<SenderAccount> accounts, SenderAccount gateway) {
    if (accounts.isEmpty()) {
      throw new IllegalArgumentException("at least one account is needed");
    }
    for (SenderAccount a : accounts) {
      byAddress.put(normalise(a.address()), a);
    }
    this.gateway = gateway;
    this.directoryUser = accounts.get(0);
  }

  @Override
  public void checkSender(String reversePath, String authenticatedUser) throws SubmissionException {
    sender(reversePath, authenticatedUser);
  }

  private SenderAccount sender(String reversePath, String authenticatedUser)
      throws SubmissionException {
    SenderAccount account = byAddress.get(normalise(authenticatedUser));
    if (account == null) {
      throw new SubmissionException(
          SmtpStatus.SENDER_NOT_OWNED,
          "No account of this node for the authenticated user " + printable(authenticatedUser));
    }
    if (!normalise(reversePath).equals(normalise(account.address()))) {
      throw new SubmissionException(
          SmtpStatus.SENDER_NOT_OWNED,
          "<"
              + printable(reversePath)
              + ">: Sender address rejected: not owned by user "
              + printable(authenticatedUser));
    }
    return account;
  }

  @Override
  public void checkRecipient(String address) throws SubmissionException {
    SenderAccount a = directoryUser;
    long wait = a.config().ringWait().toMillis();
    try {
      a.ring().certificate(address).get(wait, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new SubmissionException(
          SmtpStatus.TEMPORARY_FAILURE, "The ring's directory did not answer, try again later", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, "Interrupted", e);
    } catch (ExecutionException e) {
      Throwable t = Failures.unwrap(e);
      if (t instanceof DirectoryException.NoSuchUser
          || t instanceof DirectoryException.InvalidAddress) {
        throw new SubmissionException(
            SmtpStatus.MAILBOX_UNKNOWN, "<" + printable(address) + ">: No such user on the ring");
      }
      if (t instanceof DirectoryException.Revoked || t instanceof DirectoryException.Expired) {
        throw new SubmissionException(
            SmtpStatus.MAILBOX_DISABLED,
            "<" + printable(address) + ">: The user's ring certificate is revoked or expired");
      }
      throw new SubmissionException(
          SmtpStatus.TEMPORARY_FAILURE,
          "The ring's directory cannot be reached, try again later",
          t);
    }
  }

  @Override
  public void deliver(Envelope envelope, InputStream message) throws SubmissionException {
    SenderAccount account;
    MailNotice.Origin origin;
    if (gateway != null) {
      account = gateway;
      origin = MailNotice.Origin.INTERNET;
    } else if (envelope.authenticatedUser().isEmpty()) {
      fileLocalReport(envelope, message);
      return;
    } else {
      account = sender(envelope.reversePath(), envelope.authenticatedUser().get());
      origin = MailNotice.Origin.RING;
    }
    CompletableFuture<Dispatcher.Outcome> outcome =
        account.accept(
            origin,
            origin == MailNotice.Origin.RING ? account.address() : envelope.reversePath(),
            envelope.messageId(),
            origin == MailNotice.Origin.INTERNET ? envelope.clientAddress() : "",
            envelope.recipients(),
            message);
    // The message is fsynced in the outbox: from here on "250" is safe. Wait for the ring a while
    // so that, when it is there, the client's "250" also means durable and notified.
    try {
      outcome.get(account.config().ringWait().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // Still in progress: it stays in the outbox and completes in the background.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the proxy gave up waiting; the outbox keeps it
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SubmissionException refused) {
        throw refused;
      }
      throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, null, e.getCause());
    }
  }

  /**
   * The relay's delivery status notification for a local sender (null reverse-path, no AUTH): it
   * goes straight into the sender's INBOX, stored under the sender's own account.
   */
  private void fileLocalReport(Envelope envelope, InputStream message) throws SubmissionException {
    byte[] bytes;
    try {
      bytes = message.readNBytes(1 << 20);
    } catch (IOException e) {
      throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, null, e);
    }
    List<CompletableFuture<Long>> filed = new ArrayList<>();
    for (String r : envelope.recipients()) {
      SenderAccount a = byAddress.get(normalise(r));
      if (a == null) {
        throw new SubmissionException(
            SmtpStatus.MAILBOX_UNKNOWN, "<" + printable(r) + ">: Not an account of this node");
      }
      MailAccount account = a.account();
      filed.add(
          account
              .store(new ByteArrayInputStream(bytes))
              .thenCompose((StoredMail m) -> account.file("INBOX", m, new byte[0], Set.of()))
              .toCompletableFuture());
    }
    try {
      CompletableFuture.allOf(filed.toArray(CompletableFuture[]::new))
          .get(directoryUser.config().ringWait().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new SubmissionException(
          SmtpStatus.TEMPORARY_FAILURE, "The report could not be filed yet", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, "Interrupted", e);
    }
  }

  private static String normalise(String address) {
    try {
      return MailAddress.parse(address).value();
    } catch (IllegalArgumentException e) {
      return "\u0000" + address;
    }
  }

  private static String printable(String s) {
    return s.replaceAll("[^\\x21-\\x7e]", "?");
  }
}
