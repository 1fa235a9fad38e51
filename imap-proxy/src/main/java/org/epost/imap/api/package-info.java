/**
 * The IMAP proxy's public surface: the mailbox backend SPI ({@link
 * org.epost.imap.api.MailboxBackend}, {@link org.epost.imap.api.UserSession}), its value types and
 * failures, and the server handle and configuration. Start a server with {@code
 * org.epost.imap.server.ImapServers.start}.
 */
package org.epost.imap.api;
