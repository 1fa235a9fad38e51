package org.epost.imap.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Metadata of one message.
 *
 * @param uid the message's UID
 * @param size exact size in bytes of the RFC 5322 message
 * @param internalDate the date the message arrived
 * @param flags system flags (for example {@code \Seen}) and keywords
 */
public record MessageRecord(long uid, long size, Instant internalDate, Set<String> flags) {
  public MessageRecord {
    if (uid <= 0) {
      throw new IllegalArgumentException("UID must be positive: " + uid);
    }
    Objects.requireNonNull(internalDate, "internalDate");
    flags = Set.copyOf(flags);
  }
}
