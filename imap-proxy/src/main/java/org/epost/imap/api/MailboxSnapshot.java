package org.epost.imap.api;

import java.util.List;

/**
 * The state of a mailbox at one moment.
 *
 * @param uidValidity the UIDVALIDITY value; never changes while UIDs keep their meaning
 * @param uidNext a value greater than every UID ever assigned in this mailbox
 * @param highestModSeq the highest modification sequence of any change to the mailbox so far
 *     (arrival, flag change or expunge); at least 1
 * @param messages every message, in ascending UID order
 * @param readOnly whether the user may change the mailbox
 */
public record MailboxSnapshot(
    long uidValidity,
    long uidNext,
    long highestModSeq,
    List<MessageRecord> messages,
    boolean readOnly) {
  public MailboxSnapshot {
    if (uidValidity <= 0 || uidValidity > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(
          "UIDVALIDITY must be a positive 32-bit value: " + uidValidity);
    }
    if (highestModSeq <= 0) {
      throw new IllegalArgumentException("HIGHESTMODSEQ must be positive: " + highestModSeq);
    }
    messages = List.copyOf(messages);
  }
}
