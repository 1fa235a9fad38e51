package org.epost.imap.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Metadata of one message: everything a listing, a flag fetch or a resynchronisation needs, with no
 * byte of the message itself.
 *
 * @param uid the message's UID
 * @param size exact size in bytes of the RFC 5322 message
 * @param internalDate the date the message arrived
 * @param flags system flags (for example {@code \Seen}) and keywords
 * @param modSeq the modification sequence (RFC 7162): positive, assigned from a per-mailbox counter
 *     when the message arrives and again whenever its flags change; never decreases
 */
public record MessageRecord(
    long uid, long size, Instant internalDate, Set<String> flags, long modSeq) {
  public MessageRecord {
    if (uid <= 0) {
      throw new IllegalArgumentException("UID must be positive: " + uid);
    }
    if (modSeq <= 0) {
      throw new IllegalArgumentException("MODSEQ must be positive: " + modSeq);
    }
    Objects.requireNonNull(internalDate, "internalDate");
    flags = Set.copyOf(flags);
  }

  /** The same message with other flags and the modification sequence of that change. */
  public MessageRecord withFlags(Set<String> newFlags, long newModSeq) {
    return new MessageRecord(uid, size, internalDate, newFlags, newModSeq);
  }
}
