package org.epost.imap.api;

/** How STORE combines the given flags with a message's flags. */
public enum FlagUpdate {
  /** {@code +FLAGS}. */
  ADD,
  /** {@code -FLAGS}. */
  REMOVE,
  /** {@code FLAGS}. */
  REPLACE
}
