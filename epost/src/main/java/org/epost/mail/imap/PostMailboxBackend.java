package org.epost.mail.imap;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.epost.imap.api.BackendException;
import org.epost.imap.api.MailboxBackend;
import org.epost.imap.api.Passwords;
import org.epost.imap.api.ResponseCode;
import org.epost.imap.api.UserSession;
import org.epost.mail.api.MailAccount;

/**
 * The IMAP proxy's backend on the accounts this daemon runs: a user logs in with the account's
 * address and its generated proxy password (made at enrolment by the daemon), compared in constant
 * time, and gets a session of that account. An unknown user costs the same comparison as a wrong
 * password.
 */
public final class PostMailboxBackend implements MailboxBackend {
  private record Account(String password, MailAccount account) {}

  private static final String NOBODY = "x".repeat(32);

  private final Map<String, Account> accounts = new ConcurrentHashMap<>();

  /** Lets {@code address} log in with {@code password} to {@code account}. */
  public void register(String address, String password, MailAccount account) {
    accounts.put(
        address.toLowerCase(java.util.Locale.ROOT),
        new Account(Objects.requireNonNull(password), Objects.requireNonNull(account)));
  }

  /** Stops logins of {@code address} (open sessions stay until their connection ends). */
  public void unregister(String address) {
    accounts.remove(address.toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public UserSession authenticate(String user, String password) {
    Account a = accounts.get(user.toLowerCase(java.util.Locale.ROOT));
    boolean ok =
        Passwords.constantTimeEquals(a == null ? NOBODY : a.password(), password) && a != null;
    if (!ok) {
      throw new BackendException(ResponseCode.AUTHENTICATIONFAILED, "wrong user name or password");
    }
    return a.account().openSession();
  }
}
