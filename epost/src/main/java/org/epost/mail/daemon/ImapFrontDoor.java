package org.epost.mail.daemon;

import java.util.Locale;
import java.util.Map;
import org.epost.imap.api.BackendException;
import org.epost.imap.api.MailboxBackend;
import org.epost.imap.api.Passwords;
import org.epost.imap.api.ResponseCode;
import org.epost.imap.api.UserSession;
import org.epost.mail.api.MailAccount;

/**
 * The IMAP proxy's backend for the daemon's accounts: LOGIN or AUTHENTICATE with the account's
 * address and its proxy password (compared in constant time, an unknown user compared against a
 * dummy so that the time says nothing), then the account's own IMAP view ({@link
 * MailAccount#openSession}). Thread-safe: the table is fixed at start.
 */
final class ImapFrontDoor implements MailboxBackend {
  /** One account as the proxy sees it. */
  record Entry(String password, MailAccount account) {}

  private final Map<String, Entry> byAddress;

  ImapFrontDoor(Map<String, Entry> byAddress) {
    this.byAddress = Map.copyOf(byAddress);
  }

  @Override
  public UserSession authenticate(String user, String password) {
    Entry e = byAddress.get(user.trim().toLowerCase(Locale.ROOT));
    boolean same =
        Passwords.constantTimeEquals(e == null ? "\u0000no-such-user" : e.password(), password);
    if (e == null || !same) {
      throw new BackendException(
          ResponseCode.AUTHENTICATIONFAILED,
          "wrong address or proxy password ('epost account' shows them)");
    }
    return e.account().openSession();
  }
}
