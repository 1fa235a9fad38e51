package org.epost.imap.api;

import java.util.List;

/**
 * What changed in a mailbox after a modification sequence: the answer to {@link
 * UserSession#changesSince}. Its size is proportional to the changes, not to the mailbox.
 *
 * @param uidValidity the mailbox's UIDVALIDITY (if it differs from the caller's, UIDs changed
 *     meaning and the caller must start over with a snapshot)
 * @param uidNext as in {@link MailboxSnapshot}
 * @param highestModSeq as in {@link MailboxSnapshot}
 * @param changed every message that exists now and whose modification sequence is above the one
 *     asked for (new messages and messages whose flags changed), ascending UID order
 * @param expunged UIDs removed after the modification sequence asked for, ascending
 * @param expungesComplete false if the store no longer remembers every expunge that far back (then
 *     {@code expunged} may miss some, and the caller must compare UIDs with a snapshot)
 */
public record MailboxChanges(
    long uidValidity,
    long uidNext,
    long highestModSeq,
    List<MessageRecord> changed,
    List<Long> expunged,
    boolean expungesComplete) {
  public MailboxChanges {
    changed = List.copyOf(changed);
    expunged = List.copyOf(expunged);
  }
}
