package org.epost.mail.mailbox;

import java.util.List;
import java.util.Set;
import org.epost.imap.api.MessageRecord;

/**
 * One folder's state at one moment, from memory.
 *
 * @param uidValidity UIDVALIDITY
 * @param uidNext a value above every UID assigned
 * @param highestModSeq MODSEQ of the newest change (at least 1)
 * @param messages every message, ascending UID
 * @param firstUnseen the sequence number of the first message without {@code \Seen}, or 0
 * @param keywords keywords set on the folder's messages (at most {@link
 *     org.epost.imap.api.MailboxSnapshot#MAX_KEYWORDS})
 */
public record FolderView(
    long uidValidity,
    long uidNext,
    long highestModSeq,
    List<MessageRecord> messages,
    int firstUnseen,
    Set<String> keywords) {
  public FolderView {
    messages = List.copyOf(messages);
    keywords = Set.copyOf(keywords);
  }
}
