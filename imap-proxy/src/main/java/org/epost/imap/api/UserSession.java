package org.epost.imap.api;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * One authenticated user's view of the mail store. The server creates one per IMAP connection after
 * a successful login and closes it when the connection ends.
 *
 * <p>Mailbox names are full hierarchical names using {@link #hierarchyDelimiter()}, in Unicode: the
 * server decodes IMAP's modified UTF-7 (RFC 3501 5.1.3) before a name reaches the backend and
 * encodes the names it lists. Names reaching the backend have no control characters, at most 32
 * levels and 1,024 UTF-8 bytes. The name {@code INBOX} is case-insensitive and always exists. UIDs
 * are positive, strictly ascending in arrival order within a mailbox, and never reused while the
 * mailbox keeps its UIDVALIDITY.
 *
 * <p>Failures: stages complete exceptionally with {@link BackendException}; use {@link
 * ResponseCode#NONEXISTENT} for a missing mailbox, {@link ResponseCode#TRYCREATE} for a missing
 * target of append/copy/move, {@link ResponseCode#ALREADYEXISTS} for a name clash.
 */
public interface UserSession extends AutoCloseable {

  /** The hierarchy delimiter of this store, for example {@code '/'} or {@code '.'}. */
  char hierarchyDelimiter();

  /** Every mailbox of the user, in any order. */
  CompletionStage<List<MailboxInfo>> listMailboxes();

  /** Creates a mailbox (and any missing parents). */
  CompletionStage<Void> createMailbox(String name);

  /** Deletes a mailbox and its messages; deleting INBOX fails with {@link ResponseCode#CANNOT}. */
  CompletionStage<Void> deleteMailbox(String name);

  /**
   * Renames a mailbox and its children. Renaming INBOX moves its messages to the new mailbox and
   * leaves INBOX empty (RFC 3501 section 6.3.5).
   */
  CompletionStage<Void> renameMailbox(String from, String to);

  /** Adds or removes a name from the subscription list; the mailbox need not exist. */
  CompletionStage<Void> setSubscribed(String name, boolean subscribed);

  /** The current state of a mailbox: UIDVALIDITY, UIDNEXT and every message's metadata. */
  CompletionStage<MailboxSnapshot> snapshot(String mailbox);

  /**
   * Opens the full RFC 5322 bytes of a message. The caller closes the stream. The stream yields
   * exactly {@link MessageRecord#size()} bytes.
   */
  CompletionStage<InputStream> openMessage(String mailbox, long uid);

  /**
   * Stores a new message. The content stream is valid only until the returned stage completes.
   *
   * @param flags initial flags and keywords (may be empty)
   * @param internalDate the date to record, or {@code null} for now
   */
  CompletionStage<AppendResult> append(
      String mailbox, Set<String> flags, Instant internalDate, InputStream content, long size);

  /**
   * Changes flags of the given messages (UIDs that no longer exist are ignored).
   *
   * @return the resulting flags of every message that still exists
   */
  CompletionStage<Map<Long, Set<String>>> storeFlags(
      String mailbox, Collection<Long> uids, FlagUpdate update, Set<String> flags);

  /** Copies messages to another mailbox; UIDs that no longer exist are skipped. */
  CompletionStage<CopyResult> copy(String from, Collection<Long> uids, String to);

  /** Moves messages to another mailbox, atomically per message. */
  CompletionStage<CopyResult> move(String from, Collection<Long> uids, String to);

  /**
   * Permanently removes messages flagged {@code \Deleted}.
   *
   * @param uids restricts the expunge to these UIDs (UID EXPUNGE), or {@code null} for all
   * @return the UIDs removed, ascending
   */
  CompletionStage<List<Long>> expunge(String mailbox, Collection<Long> uids);

  /**
   * Registers a listener for changes of one mailbox made by anyone (other sessions, delivery). The
   * listener is called on a backend thread and must not block.
   */
  Registration watch(String mailbox, MailboxListener listener);

  /** Releases the session. */
  @Override
  void close();
}
