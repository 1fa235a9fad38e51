package org.epost.imap.api;

import java.util.Objects;
import java.util.Optional;

/**
 * A mailbox as listed to clients.
 *
 * @param name full hierarchical name
 * @param specialUse the RFC 6154 role, if any
 * @param selectable false for a pure hierarchy node ({@code \Noselect})
 * @param subscribed whether the name is on the user's subscription list
 */
public record MailboxInfo(
    String name, Optional<SpecialUse> specialUse, boolean selectable, boolean subscribed) {
  public MailboxInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(specialUse, "specialUse");
  }
}
