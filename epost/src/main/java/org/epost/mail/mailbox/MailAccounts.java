package org.epost.mail.mailbox;

import java.util.concurrent.CompletionStage;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;

/** Opens accounts. */
public final class MailAccounts {
  private MailAccounts() {}

  /**
   * Opens the account of {@code services}' user on POST: reads the folder-list log and every folder
   * log (the newest snapshot and the operations after it), creates INBOX, Sent, Drafts, Trash, Junk
   * and Archive at the account's first start, and opens the metadata index in {@code
   * services.accountDirectory()}. Call from any thread; completes on the account's executor. Fails
   * with a retryable {@link org.epost.mail.api.MailException} when the ring cannot be reached.
   *
   * <p>Open an account once per {@code PostNode.attach} of its user (the log writers belong to the
   * attached services; the account closes them when it closes).
   */
  public static CompletionStage<MailAccount> open(AccountServices services, MailboxConfig config) {
    return PostAccount.open(services, config).thenApply(a -> a);
  }

  /** As {@link #open}, with the account's full interface (the IMAP backend and tests use it). */
  public static CompletionStage<PostAccount> openAccount(
      AccountServices services, MailboxConfig config) {
    return PostAccount.open(services, config);
  }
}
