package org.epost.mail.daemon;

import org.epost.mail.delivery.NewMail;

/**
 * What a desktop front end (the tray, ADR 0133) hears of a running daemon. Called on the daemon's
 * own threads (start, stop, delivery); an implementation hands the work to its own thread and
 * returns at once.
 */
public interface DaemonListener {
  /**
   * The daemon's phase changed ({@code starting}, {@code running}, {@code stopping}, {@code
   * stopped}, {@code paused}); the health may have changed with it.
   */
  default void stateChanged(String phase) {}

  /** A message from a verified sender (or marked as from the Internet) was filed into an INBOX. */
  default void verifiedMail(NewMail mail) {}
}
