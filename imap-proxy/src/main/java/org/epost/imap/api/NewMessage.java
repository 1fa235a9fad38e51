package org.epost.imap.api;

import java.io.InputStream;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A message to append.
 *
 * @param flags initial flags and keywords (may be empty)
 * @param internalDate the date to record, or {@code null} for now
 * @param content the RFC 5322 bytes; valid only during the append call
 * @param size the number of bytes {@code content} yields
 */
public record NewMessage(Set<String> flags, Instant internalDate, InputStream content, long size) {
  public NewMessage {
    flags = Set.copyOf(flags);
    Objects.requireNonNull(content, "content");
  }
}
