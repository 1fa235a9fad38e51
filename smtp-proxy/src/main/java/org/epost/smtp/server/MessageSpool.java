package org.epost.smtp.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Holds one message body while it is received: in memory up to {@link #MEMORY_LIMIT}, then in a
 * temporary file (deleted on {@link #close()}). The spool is scratch space; durability comes from
 * the backend or the relay queue, never from here.
 *
 * <p>Not thread-safe; written by the session thread, then read by one backend call at a time.
 */
final class MessageSpool extends OutputStream {
  static final int MEMORY_LIMIT = 256 * 1024;

  private final Path directory;
  private byte[] memory = new byte[8192];
  private int memoryLength;
  private Path file;
  private OutputStream fileOut;
  private long size;

  MessageSpool(Path directory) {
    this.directory = directory;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    if (fileOut == null && memoryLength + length > MEMORY_LIMIT) {
      file = Files.createTempFile(directory, "spool-", ".eml");
      fileOut = Files.newOutputStream(file);
      fileOut.write(memory, 0, memoryLength);
      memory = null;
    }
    if (fileOut != null) {
      fileOut.write(bytes, offset, length);
    } else {
      if (memoryLength + length > memory.length) {
        memory =
            Arrays.copyOf(
                memory, Math.min(MEMORY_LIMIT, Math.max(memory.length * 2, memoryLength + length)));
      }
      System.arraycopy(bytes, offset, memory, memoryLength, length);
      memoryLength += length;
    }
    size += length;
  }

  /** Bytes written so far. */
  long size() {
    return size;
  }

  /** A fresh stream over everything written; call after writing is finished. */
  InputStream open() throws IOException {
    if (fileOut != null) {
      fileOut.flush();
      return Files.newInputStream(file);
    }
    return new ByteArrayInputStream(memory, 0, memoryLength);
  }

  /** Forgets the content and deletes the temporary file, if any. */
  @Override
  public void close() throws IOException {
    if (fileOut != null) {
      fileOut.close();
      Files.deleteIfExists(file);
      fileOut = null;
    }
    memory = null;
  }
}
