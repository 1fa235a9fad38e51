package org.epost.mail.api;

import java.util.Objects;
import org.epost.post.api.MessageRef;

/**
 * A message stored on the ring, as its sender hands it to recipients and as a folder references it.
 * {@code layout} is the application's description of the message's parts (opaque to POST, at most a
 * few hundred bytes): it travels in the notification's part summary so that the recipient can file
 * the message and answer IMAP listings from its structure part without reading a body.
 *
 * @param ref the message store's reference (the message block; keys inside)
 * @param size the message's RFC 5322 size in bytes, as stored (without any added header)
 * @param layout the encoded part layout (see the message package), opaque to POST
 * @param expiryWallMillis when the blocks' leases end, as the store reported (0 if unknown)
 */
public record StoredMail(MessageRef ref, long size, byte[] layout, long expiryWallMillis) {
  public StoredMail {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(layout, "layout");
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
  }
}
