package org.epost.crypto.api;

import java.io.IOException;

/**
 * Fetches blocks by id for decryption. The source need not be trusted: every block it returns is
 * checked against its id before use. Called on the decrypting thread.
 */
@FunctionalInterface
public interface BlockSource {
  /**
   * The block stored under {@code id}.
   *
   * @throws IOException if it cannot be fetched (not found, network failure)
   */
  byte[] fetch(BlockId id) throws IOException;
}
