package org.epost.imap.api;

/**
 * The storage behind the IMAP server: the service provider interface the email application
 * implements on the peer-to-peer store.
 *
 * <p>Threading: blocking, like {@link UserSession} (ADR 0039). Every method is called on a server
 * worker thread, concurrently for different connections, never on a network thread, and may block;
 * the server holds no lock meanwhile. A {@link BackendException} becomes a tagged {@code NO}
 * carrying its {@link ResponseCode}; any other exception becomes {@code NO [SERVERBUG]}; a call
 * still running after {@link ImapServerConfig#backendTimeout()} is interrupted and answered {@code
 * NO [UNAVAILABLE]}.
 */
public interface MailboxBackend {

  /**
   * Checks a user's credentials. Implementations must compare secrets in constant time (see {@link
   * Passwords#constantTimeEquals(byte[], byte[])}).
   *
   * @return the user's session
   * @throws BackendException {@link ResponseCode#AUTHENTICATIONFAILED} on bad credentials
   */
  UserSession authenticate(String user, String password);
}
