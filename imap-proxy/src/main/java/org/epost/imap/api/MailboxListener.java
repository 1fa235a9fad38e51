package org.epost.imap.api;

/**
 * Told when a watched mailbox changes. Called on a backend thread; must return quickly. The server
 * only uses the call as a signal and re-reads the mailbox state on its own worker.
 */
@FunctionalInterface
public interface MailboxListener {

  /** What kind of change happened. */
  enum Change {
    NEW_MESSAGES,
    FLAGS_CHANGED,
    EXPUNGED,
    DELETED
  }

  void mailboxChanged(String mailbox, Change change);
}
