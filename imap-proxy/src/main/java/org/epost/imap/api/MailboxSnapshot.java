package org.epost.imap.api;

import java.util.List;

/**
 * The state of a mailbox at one moment.
 *
 * @param uidValidity the UIDVALIDITY value; never changes while UIDs keep their meaning
 * @param uidNext a value greater than every UID ever assigned in this mailbox
 * @param messages every message, in ascending UID order
 * @param readOnly whether the user may change the mailbox
 */
public record MailboxSnapshot(
    long uidValidity, long uidNext, List<MessageRecord> messages, boolean readOnly) {
  public MailboxSnapshot {
    if (uidValidity <= 0 || uidValidity > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(
          "UIDVALIDITY must be a positive 32-bit value: " + uidValidity);
    }
    messages = List.copyOf(messages);
  }
}
