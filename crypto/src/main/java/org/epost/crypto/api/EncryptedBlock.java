package org.epost.crypto.api;

import java.util.Objects;

/**
 * One block produced by content-hash encryption: the key to read it and the bytes to store. {@code
 * key().id()} is the SHA-256 of {@code bytes}. The array is not copied: callers hand it to storage
 * and do not modify it.
 */
public record EncryptedBlock(ContentKey key, byte[] bytes) {
  /** Validates non-null components. */
  public EncryptedBlock {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(bytes, "bytes");
  }
}
