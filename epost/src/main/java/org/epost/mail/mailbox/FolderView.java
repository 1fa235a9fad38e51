package org.epost.mail.mailbox;

import java.util.List;
import org.epost.imap.api.MessageRecord;

/**
 * One folder's state at one moment, from memory.
 *
 * @param uidValidity UIDVALIDITY
 * @param uidNext a value above every UID assigned
 * @param highestModSeq MODSEQ of the newest change (at least 1)
 * @param messages every message, ascending UID
 */
public record FolderView(
    long uidValidity, long uidNext, long highestModSeq, List<MessageRecord> messages) {
  public FolderView {
    messages = List.copyOf(messages);
  }
}
