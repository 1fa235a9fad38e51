package org.epost.mail.api;

import java.io.InputStream;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.epost.imap.api.UserSession;

/**
 * One user's mail on POST, as the daemon, the proxies and delivery use it: NinjaMail's MailStore
 * (add, get, search, update, delete) on signed folder logs and the single-copy message store.
 *
 * <p>The account's folders live in its folder-list log, each folder's messages in the folder's own
 * log; a message's bytes live once in the message store, referenced from every folder that holds
 * it. Every change is a log operation; the account's in-memory state and its encrypted metadata
 * index on the user's disk are built from the logs, so listing, flags, ENVELOPE, BODYSTRUCTURE and
 * header searches touch no message body and no network.
 *
 * <p>Threading: every method may be called from any thread, including the node's loop; none blocks.
 * Stages complete on a thread of the account's own (never the loop), so a blocking caller (an IMAP
 * or SMTP worker) may wait on them with a timeout, and a caller on the loop must not.
 *
 * <p>Failures: stages fail with {@link MailException}; {@link MailException#retryable()} says
 * whether the same call may succeed later (the ring could not be reached).
 */
public interface MailAccount extends AutoCloseable {
  /** The owner's address, as certified by the ring's directory. */
  String address();

  /**
   * Stores an RFC 5322 message on the ring, once, encrypted: its header section and MIME structure
   * apart from bodies and attachments, large bodies and attachments as parts of their own.
   * Completes once every block is on a majority of its replica set. The stream is read once, with
   * bounded memory, during the call's first phase; the caller keeps it open until the stage
   * completes.
   */
  CompletionStage<StoredMail> store(InputStream rfc5322);

  /**
   * Files a stored message (this user's own, or one another user sent) into {@code folder} (a
   * folder name, {@code INBOX} case-insensitive) with {@code flags}, the message's bytes preceded
   * by {@code addedHeader} in this copy only (for example the {@code Authentication-Results} field
   * this node adds; CRLF-terminated header lines, or empty). Holds the message in the lease ledger.
   * Completes with the new UID once the folder log's head containing it is on a majority of its
   * replica set; every watcher of the folder hears of it.
   *
   * @throws MailException (in the stage) NONEXISTENT-style failure if the folder does not exist
   */
  CompletionStage<Long> file(String folder, StoredMail mail, byte[] addedHeader, Set<String> flags);

  /**
   * Hands the account a stored message's {@code STRUCTURE} part that the caller has read from the
   * ring and verified (delivery reads it to check the sender), so that filing and indexing the
   * message need not fetch it again: the account may keep its layout in the metadata index and, for
   * a message stored inline (ADR 0147), its bytes in the local cache. A part that does not decode
   * or disagrees with {@code mail} is ignored. An account without such stores ignores every part.
   */
  default void alreadyRead(StoredMail mail, byte[] structurePart) {}

  /** A new IMAP view of this account for one connection (the IMAP proxy's backend session). */
  UserSession openSession();

  /** Stops the account: pending appends finish or fail; later calls fail (not retryable). */
  @Override
  void close();
}
