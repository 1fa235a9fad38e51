package org.epost.imap.api;

import java.util.concurrent.CompletionStage;

/**
 * The storage behind the IMAP server: the service provider interface the email application
 * implements on the peer-to-peer store.
 *
 * <p>Threading contract: every method may be called from any server worker thread, concurrently for
 * different connections. Methods return {@link CompletionStage}s so that a slow or remote backend
 * never blocks the server's network threads; the server never holds a lock while a stage is
 * pending. A stage that completes exceptionally with a {@link BackendException} becomes a tagged
 * {@code NO} carrying its {@link ResponseCode}; any other failure becomes {@code NO [SERVERBUG]},
 * and a stage that does not complete within {@link ImapServerConfig#backendTimeout()} becomes
 * {@code NO [UNAVAILABLE]}.
 */
public interface MailboxBackend {

  /**
   * Checks a user's credentials. Implementations must compare secrets in constant time (see {@link
   * Passwords#constantTimeEquals(byte[], byte[])}).
   *
   * @return the user's session; fails with {@link ResponseCode#AUTHENTICATIONFAILED} on bad
   *     credentials
   */
  CompletionStage<UserSession> authenticate(String user, String password);
}
