package org.epost.post.api;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One part of a message to be stored: its role, its MIME path and where its bytes come from.
 *
 * <p>The store reads {@code data} to its end through the node's off-loop executor (a worker thread
 * in real mode, inline in a simulation), one read at a time and at most one block (48 KiB) ahead of
 * what it has handed to the ring, and closes it when the part is done or the store fails. The
 * stream must therefore not depend on the node's loop (a file, a spool, a byte array).
 *
 * @param role what the part holds
 * @param mimePath the part's MIME path ("1.2"; "" for the header and the structure), at most {@link
 *     PartInfo#MAX_MIME_PATH} bytes of UTF-8
 * @param data the part's bytes
 * @param declaredLength the length the caller knows in advance, or -1: a declared length lets the
 *     store refuse a message over its maximum size before it inserts anything; a stream that ends
 *     at another length fails the store
 */
public record PartInput(PartRole role, String mimePath, InputStream data, long declaredLength) {
  /** Validates the components. */
  public PartInput {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(mimePath, "mimePath");
    Objects.requireNonNull(data, "data");
    if (declaredLength < -1) {
      throw new IllegalArgumentException("declaredLength must be -1 (unknown) or >= 0");
    }
    if (mimePath.getBytes(StandardCharsets.UTF_8).length > PartInfo.MAX_MIME_PATH) {
      throw new IllegalArgumentException(
          "a MIME path is at most " + PartInfo.MAX_MIME_PATH + " bytes: " + mimePath);
    }
  }

  /** A part whose bytes are in memory (the array is not copied; do not modify it). */
  public static PartInput of(PartRole role, String mimePath, byte[] bytes) {
    return new PartInput(role, mimePath, new ByteArrayInputStream(bytes), bytes.length);
  }

  /** A part read from a stream of unknown length. */
  public static PartInput of(PartRole role, String mimePath, InputStream data) {
    return new PartInput(role, mimePath, data, -1);
  }
}
