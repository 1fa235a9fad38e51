package org.epost.crypto.api;

import java.io.IOException;

/**
 * Receives the immutable blocks that content-hash encryption produces, in order (chunks first, then
 * the manifest). Called on the encrypting thread; the sink owns {@code block} afterwards.
 */
@FunctionalInterface
public interface BlockSink {
  /** Stores or forwards one block whose id is {@code id} (= SHA-256 of {@code block}). */
  void accept(BlockId id, byte[] block) throws IOException;
}
