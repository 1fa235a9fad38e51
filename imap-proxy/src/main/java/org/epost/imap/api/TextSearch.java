package org.epost.imap.api;

/**
 * An optional capability of a {@link UserSession}: answers SEARCH BODY and TEXT from a full-text
 * index instead of reading message bytes. A session that implements this interface is asked once
 * per search key and search run; the server reads (through {@link UserSession#read}) only the
 * messages whose verdict is {@link Verdict#UNKNOWN}, and does its own decoded-text check on those
 * (RFC 3501 6.4.4 substring semantics, {@link org.epost.imap.mime.DecodedText}).
 *
 * <p>Contract: a verdict of {@link Verdict#MATCH} or {@link Verdict#NO_MATCH} must equal what the
 * server's check over the message's bytes would answer: the decoded text ({@link
 * org.epost.imap.mime.DecodedText} segments, the top-level header included for TEXT only) contains
 * {@code needle}, case-insensitively per character. When the index cannot decide for a message (not
 * indexed yet, text beyond what the index holds, a needle spanning words) the verdict is {@link
 * Verdict#UNKNOWN}. Threading and failures as for {@link UserSession}: called on a worker thread,
 * may block; throw {@link BackendException} on failure.
 */
public interface TextSearch {

  /** What the index knows about one message and one needle. */
  enum Verdict {
    /** The message's text contains the needle. */
    MATCH,
    /** The message's text does not contain the needle. */
    NO_MATCH,
    /** The index cannot tell; the server reads the message and checks. */
    UNKNOWN
  }

  /** The answer to one search key, message by message. */
  @FunctionalInterface
  interface Hits {
    /** The verdict for the message with this UID (a UID the index never saw: UNKNOWN). */
    Verdict verdict(long uid);
  }

  /**
   * The verdicts for {@code needle} over {@code mailbox}, or {@code null} if the index cannot help
   * with this needle at all (the server then reads every candidate).
   *
   * @param needle the search string as the client sent it (not yet lower-cased)
   * @param includeHeader true for TEXT (the top-level header is searched too), false for BODY
   */
  Hits searchText(String mailbox, String needle, boolean includeHeader);
}
