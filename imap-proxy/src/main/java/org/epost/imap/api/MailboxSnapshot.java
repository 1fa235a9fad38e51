package org.epost.imap.api;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The state of a mailbox at one moment, with the summary a SELECT reports (the first unseen message
 * and the keywords in use), so that a backend that keeps the summary answers SELECT without the
 * server looking at every message.
 *
 * @param uidValidity the UIDVALIDITY value; never changes while UIDs keep their meaning
 * @param uidNext a value greater than every UID ever assigned in this mailbox
 * @param highestModSeq the highest modification sequence of any change to the mailbox so far
 *     (arrival, flag change or expunge); at least 1
 * @param messages every message, in ascending UID order
 * @param readOnly whether the user may change the mailbox
 * @param firstUnseen the sequence number (index + 1 in {@code messages}) of the first message
 *     without {@code \Seen}, or 0 if every message has it
 * @param keywords keywords (flags not starting with a backslash) set on messages of the mailbox, at
 *     most {@link #MAX_KEYWORDS} of them; the server announces any other when a FETCH shows it
 */
public record MailboxSnapshot(
    long uidValidity,
    long uidNext,
    long highestModSeq,
    List<MessageRecord> messages,
    boolean readOnly,
    int firstUnseen,
    Set<String> keywords) {
  /** Most keywords a snapshot carries (and a session announces in FLAGS). */
  public static final int MAX_KEYWORDS = 256;

  public MailboxSnapshot {
    if (uidValidity <= 0 || uidValidity > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(
          "UIDVALIDITY must be a positive 32-bit value: " + uidValidity);
    }
    if (highestModSeq <= 0) {
      throw new IllegalArgumentException("HIGHESTMODSEQ must be positive: " + highestModSeq);
    }
    messages = List.copyOf(messages);
    if (firstUnseen < 0 || firstUnseen > messages.size()) {
      throw new IllegalArgumentException(
          "first unseen " + firstUnseen + " is not a message of " + messages.size());
    }
    if (keywords.size() > MAX_KEYWORDS) {
      throw new IllegalArgumentException("more than " + MAX_KEYWORDS + " keywords");
    }
    keywords = Set.copyOf(keywords);
  }

  /** A snapshot whose summary is worked out here, from every message (O(messages)). */
  public MailboxSnapshot(
      long uidValidity,
      long uidNext,
      long highestModSeq,
      List<MessageRecord> messages,
      boolean readOnly) {
    this(
        uidValidity,
        uidNext,
        highestModSeq,
        messages,
        readOnly,
        firstUnseen(messages),
        keywords(messages));
  }

  /** The sequence number of the first message without {@code \Seen}, or 0. */
  public static int firstUnseen(List<MessageRecord> messages) {
    for (int i = 0; i < messages.size(); i++) {
      if (!messages.get(i).flags().contains("\\Seen")) {
        return i + 1;
      }
    }
    return 0;
  }

  /** The keywords set on {@code messages}, the first {@link #MAX_KEYWORDS} found. */
  public static Set<String> keywords(List<MessageRecord> messages) {
    Set<String> out = new LinkedHashSet<>();
    for (MessageRecord m : messages) {
      for (String f : m.flags()) {
        if (!f.startsWith("\\") && out.size() < MAX_KEYWORDS) {
          out.add(f);
        }
      }
    }
    return out;
  }
}
