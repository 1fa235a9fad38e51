package org.epost.imap.codec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The payload of an IMAP literal, either in memory (small) or spooled to a temporary file (large).
 * Internal to the server; not API. Must be {@link #close() closed} to delete the spool file.
 */
public final class Literal implements AutoCloseable {
  private final byte[] bytes;
  private final Path file;
  private final long size;

  private Literal(byte[] bytes, Path file, long size) {
    this.bytes = bytes;
    this.file = file;
    this.size = size;
  }

  public static Literal inMemory(byte[] bytes) {
    return new Literal(bytes, null, bytes.length);
  }

  public static Literal spooled(Path file, long size) {
    return new Literal(null, file, size);
  }

  public long size() {
    return size;
  }

  public boolean isInMemory() {
    return bytes != null;
  }

  public InputStream openStream() throws IOException {
    return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
  }

  /** The literal as UTF-8 text; only for in-memory literals. */
  public String asString() {
    if (bytes == null) {
      throw new IllegalStateException("spooled literal cannot be used as a string");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete literal spool file " + file, e);
      }
    }
  }
}
