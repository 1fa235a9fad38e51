package org.epost.imap.server;

/** The RFC 3501 section 3 connection states. */
enum SessionState {
  NOT_AUTHENTICATED,
  AUTHENTICATED,
  SELECTED,
  LOGOUT
}
