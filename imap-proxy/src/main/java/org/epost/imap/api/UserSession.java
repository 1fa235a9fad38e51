package org.epost.imap.api;

import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epost.imap.mime.MimePart;

/**
 * One authenticated user's view of the mail store. The server creates one per IMAP connection after
 * a successful login and closes it when the connection ends.
 *
 * <p><b>Threading: blocking</b> (ADR 0039). Every method is called on one of the server's worker
 * threads ({@code imap-worker-N}, never a network thread), one call at a time per session, and may
 * block until it has its answer. A call that takes longer than {@link
 * ImapServerConfig#backendTimeout()} has its thread interrupted; an implementation that waits on a
 * future or on interruptible I/O then throws and the client gets {@code NO [UNAVAILABLE]}. A store
 * with an event loop of its own (the peer-to-peer store) hops onto it and waits for the answer on
 * the calling worker; it must never call back into the server from its own threads except through
 * {@link MailboxListener}.
 *
 * <p><b>Cost model</b> (a remote store, where reading a message is a network round trip): the
 * server reads message bytes only for body sections and for SEARCH BODY/TEXT. Listings, flags,
 * ENVELOPE, BODYSTRUCTURE and header-field fetches use {@link MessageRecord}s and {@link
 * #structures}, which a store answers from metadata it keeps per message (compute the structure
 * once, when the message arrives, with {@link org.epost.imap.mime.MimeStructureParser#parse}). Body
 * reads are ranged: {@code BODY[1.2]<0.4096>} asks for those 4,096 bytes only. Resynchronising a
 * selected mailbox after a change asks {@link #changesSince}, whose answer is proportional to the
 * change, not to the mailbox. A session that keeps a full-text index also implements {@link
 * TextSearch}; SEARCH BODY and TEXT then read only the messages its index cannot decide.
 *
 * <p>Mailbox names are full hierarchical names using {@link #hierarchyDelimiter()}, in Unicode: the
 * server decodes IMAP's modified UTF-7 (RFC 3501 5.1.3) before a name reaches the backend and
 * encodes the names it lists. Names reaching the backend have no control characters, at most 32
 * levels and 1,024 UTF-8 bytes. The name {@code INBOX} is case-insensitive and always exists. UIDs
 * are positive, strictly ascending in arrival order within a mailbox, and never reused while the
 * mailbox keeps its UIDVALIDITY.
 *
 * <p>Failures: throw {@link BackendException}; use {@link ResponseCode#NONEXISTENT} for a missing
 * mailbox or message, {@link ResponseCode#TRYCREATE} for a missing target of append/copy/move,
 * {@link ResponseCode#ALREADYEXISTS} for a name clash, {@link ResponseCode#UNAVAILABLE} when the
 * store cannot be reached. Any other exception becomes {@code NO [SERVERBUG]}.
 */
public interface UserSession extends AutoCloseable {

  /** The hierarchy delimiter of this store, for example {@code '/'} or {@code '.'}. */
  char hierarchyDelimiter();

  /** Every mailbox of the user, in any order. */
  List<MailboxInfo> listMailboxes();

  /** Creates a mailbox (and any missing parents). */
  void createMailbox(String name);

  /** Deletes a mailbox and its messages; deleting INBOX fails with {@link ResponseCode#CANNOT}. */
  void deleteMailbox(String name);

  /**
   * Renames a mailbox and its children. Renaming INBOX moves its messages to the new mailbox and
   * leaves INBOX empty (RFC 3501 section 6.3.5).
   */
  void renameMailbox(String from, String to);

  /** Adds or removes a name from the subscription list; the mailbox need not exist. */
  void setSubscribed(String name, boolean subscribed);

  /** The current state of a mailbox: UIDVALIDITY, UIDNEXT and every message's metadata. */
  MailboxSnapshot snapshot(String mailbox);

  /**
   * What changed after {@code modSeq}: messages that arrived or whose flags changed, and UIDs
   * expunged. Called on every resynchronisation of a selected mailbox (NOOP, IDLE wake, before
   * FETCH and SEARCH when something changed) and for QRESYNC, so its cost should follow the size of
   * the change.
   */
  MailboxChanges changesSince(String mailbox, long modSeq);

  /**
   * The MIME structures (with header fields, used for ENVELOPE, BODYSTRUCTURE, header fetches and
   * header searches) of several messages at once, so a remote store can answer a whole FETCH with
   * one round trip. UIDs that no longer exist are left out of the map.
   */
  Map<Long, MimePart> structures(String mailbox, Collection<Long> uids);

  /**
   * Opens a byte range of a message's RFC 5322 bytes. The caller closes the stream, which yields
   * exactly {@code min(length, size - offset)} bytes; only those need be fetched.
   *
   * @throws BackendException NONEXISTENT if the message no longer exists
   */
  InputStream read(String mailbox, long uid, long offset, long length);

  /**
   * Stores new messages, all or none (RFC 3502 MULTIAPPEND: if one cannot be stored, none is, and
   * no other session sees a part of them). Content streams are valid only during the call.
   *
   * @return the UIDVALIDITY and the new UIDs, in the order of {@code messages}
   */
  AppendResult append(String mailbox, List<NewMessage> messages);

  /**
   * Changes flags of the given messages (UIDs that no longer exist are ignored). A message whose
   * flags actually change gets a new modification sequence; one whose flags stay keeps its own.
   *
   * @param unchangedSince leave alone (and report as modified) messages whose modification sequence
   *     is above this value (RFC 7162 UNCHANGEDSINCE); {@code Long.MAX_VALUE} for no condition
   */
  StoreResult storeFlags(
      String mailbox,
      Collection<Long> uids,
      FlagUpdate update,
      Set<String> flags,
      long unchangedSince);

  /** Copies messages to another mailbox; UIDs that no longer exist are skipped. */
  CopyResult copy(String from, Collection<Long> uids, String to);

  /** Moves messages to another mailbox, atomically per message. */
  CopyResult move(String from, Collection<Long> uids, String to);

  /**
   * Permanently removes messages flagged {@code \Deleted}.
   *
   * @param uids restricts the expunge to these UIDs (UID EXPUNGE), or {@code null} for all
   * @return the UIDs removed, ascending
   */
  List<Long> expunge(String mailbox, Collection<Long> uids);

  /**
   * Registers a listener for changes of one mailbox made by anyone (other sessions, delivery). The
   * listener is called on a backend thread and must not block.
   */
  Registration watch(String mailbox, MailboxListener listener);

  /** Releases the session. */
  @Override
  void close();
}
