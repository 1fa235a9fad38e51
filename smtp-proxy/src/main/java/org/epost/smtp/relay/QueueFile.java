package org.epost.smtp.relay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The format of a queued message file: the entry's initial envelope (as {@link
 * QueueEntry#encode()}), the message bytes, and a fixed 40-byte footer {@code "#epost-end <19-digit
 * length> <8 hex crc>\n"} covering envelope and message. A file whose footer is missing or wrong
 * was cut short by a crash before it was acknowledged and is discarded on recovery.
 */
final class QueueFile {
  static final int FOOTER_BYTES = 40;

  /** A verified file: its initial envelope and where the message is. */
  record Opened(QueueEntry initial, long messageOffset, long messageLength) {}

  private QueueFile() {}

  /**
   * Writes header, message and footer; forces the data to disk only if {@code force}.
   *
   * @return the number of message bytes written
   */
  static long write(Path file, byte[] header, InputStream message, boolean force)
      throws IOException {
    CRC32 crc = new CRC32();
    long length = header.length;
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        InputStream in = message) {
      writeFully(ch, header, header.length);
      crc.update(header);
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) > 0) {
        writeFully(ch, buffer, n);
        crc.update(buffer, 0, n);
        length += n;
      }
      String footer = String.format("#epost-end %019d %08x\n", length, crc.getValue());
      byte[] footerBytes = footer.getBytes(StandardCharsets.US_ASCII);
      writeFully(ch, footerBytes, footerBytes.length);
      if (force) {
        ch.force(true);
      }
    }
    return length - header.length;
  }

  private static void writeFully(FileChannel ch, byte[] bytes, int length) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Reads and verifies a message file; empty if it is incomplete or corrupt. */
  static Optional<Opened> open(Path file) throws IOException {
    long size = Files.size(file);
    if (size < FOOTER_BYTES) {
      return Optional.empty();
    }
    byte[] footer = new byte[FOOTER_BYTES];
    CRC32 crc = new CRC32();
    byte[] headerBytes;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.read(ByteBuffer.wrap(footer), size - FOOTER_BYTES);
      String text = new String(footer, StandardCharsets.US_ASCII);
      if (!text.startsWith("#epost-end ") || !text.endsWith("\n")) {
        return Optional.empty();
      }
      long length;
      long expected;
      try {
        length = Long.parseLong(text.substring(11, 30));
        expected = Long.parseLong(text.substring(31, 39), 16);
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      if (length != size - FOOTER_BYTES) {
        return Optional.empty();
      }
      try (InputStream in = java.nio.channels.Channels.newInputStream(ch.position(0))) {
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
          if (n < 0) {
            return Optional.empty();
          }
          crc.update(buffer, 0, n);
          left -= n;
        }
      }
      if (crc.getValue() != expected) {
        return Optional.empty();
      }
      headerBytes = readHeader(file);
      QueueEntry initial = QueueEntry.decode(headerBytes);
      return Optional.of(new Opened(initial, headerBytes.length, length - headerBytes.length));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The envelope block at the start of the file, up to and including its "end\n" line. */
  private static byte[] readHeader(Path file) throws IOException {
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
      java.io.ByteArrayOutputStream header = new java.io.ByteArrayOutputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && header.size() < 1024 * 1024) {
        header.write(c);
        if (c == '\n') {
          if (line.toString().equals("end")) {
            return header.toByteArray();
          }
          line.setLength(0);
        } else {
          line.append((char) c);
        }
      }
      throw new IOException("queue file without envelope end");
    }
  }

  /** A stream over just the message part of a file. */
  static InputStream message(Path file, long offset, long length) throws IOException {
    InputStream in = Files.newInputStream(file);
    in.skipNBytes(offset);
    return new java.io.FilterInputStream(in) {
      private long left = length;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int c = super.read();
        if (c >= 0) {
          left--;
        }
        return c;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = super.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }
    };
  }
}
