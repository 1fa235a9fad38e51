package org.epost.post.api;

import java.util.Objects;

/**
 * One part as the message block lists it: what it holds, where it sits in the MIME tree, how long
 * it is and how to read it. Listing a message's parts ({@link MessageStore#open}) reads the message
 * block only, never a part's bytes.
 *
 * @param index the part's position in the message (0-based)
 * @param role what the part holds
 * @param mimePath the part's MIME path as IMAP numbers it ("1", "1.2"; "" for the header and the
 *     structure), at most {@link #MAX_MIME_PATH} bytes of UTF-8
 * @param ref the part's reference; {@code ref.length()} is its length in bytes
 */
public record PartInfo(int index, PartRole role, String mimePath, PartRef ref) {
  /** Longest MIME path in UTF-8 bytes. */
  public static final int MAX_MIME_PATH = 64;

  /** Validates the components. */
  public PartInfo {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(mimePath, "mimePath");
    Objects.requireNonNull(ref, "ref");
    if (index < 0) {
      throw new IllegalArgumentException("negative part index");
    }
  }

  /** The part's length in bytes. */
  public long length() {
    return ref.length();
  }
}
