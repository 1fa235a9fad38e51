package org.epost.smtp.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Framing of the client's byte stream: bounded command lines, dot-terminated DATA and counted BDAT
 * chunks. Nothing here grows with input: a line longer than the bound is skipped, not buffered.
 *
 * <p>Not thread-safe; owned by one session thread.
 */
final class SmtpInput {

  /** Thrown after an over-long command line has been consumed up to its line end. */
  static final class LineTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    LineTooLongException(int limit) {
      super("command line longer than " + limit + " bytes");
    }
  }

  private final InputStream in;
  private final byte[] buffer = new byte[16 * 1024];
  private int position;
  private int limit;

  SmtpInput(InputStream in) {
    this.in = in;
  }

  /** True if bytes the client already sent are waiting (pipelined commands). */
  boolean hasBufferedInput() {
    return position < limit;
  }

  private boolean fill() throws IOException {
    if (position < limit) {
      return true;
    }
    int n = in.read(buffer, 0, buffer.length);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }

  /**
   * Reads one command line, without its line end (CRLF, or a bare LF which is tolerated).
   *
   * @return the line decoded as UTF-8 (invalid bytes become U+FFFD), or null at end of stream
   * @throws LineTooLongException if the line exceeds {@code maxBytes}; the line is consumed
   */
  String readLine(int maxBytes) throws IOException {
    byte[] line = new byte[Math.min(maxBytes, 1024)];
    int length = 0;
    boolean tooLong = false;
    while (true) {
      if (!fill()) {
        return null;
      }
      byte b = buffer[position++];
      if (b == '\n') {
        break;
      }
      if (tooLong) {
        continue;
      }
      if (length == maxBytes) {
        tooLong = true;
        continue;
      }
      if (length == line.length) {
        byte[] bigger = new byte[Math.min(maxBytes, line.length * 2)];
        System.arraycopy(line, 0, bigger, 0, length);
        line = bigger;
      }
      line[length++] = b;
    }
    if (tooLong) {
      throw new LineTooLongException(maxBytes);
    }
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    return new String(line, 0, length, StandardCharsets.UTF_8);
  }

  /**
   * Copies a DATA body to {@code sink} until the terminating {@code CRLF.CRLF}, removing the
   * transparency dots (RFC 5321 4.5.2). Once more than {@code maxBytes} were written the rest is
   * read and dropped.
   *
   * @return the number of body bytes seen (may exceed {@code maxBytes}), or -1 if the stream ended
   *     before the terminator
   */
  long readData(OutputStream sink, long maxBytes) throws IOException {
    long seen = 0;
    boolean atLineStart = true;
    // 0: normal; 1: a line started with '.', deciding; 2: ".\r" seen at line start
    int dotState = 0;
    while (true) {
      if (!fill()) {
        return -1;
      }
      int start = position;
      int end = limit;
      int i = start;
      int copyFrom = start;
      while (i < end) {
        byte b = buffer[i];
        if (dotState == 1) {
          if (b == '\r') {
            dotState = 2;
            i++;
            continue;
          }
          if (b == '\n') {
            position = i + 1;
            return seen;
          }
          dotState = 0;
          copyFrom = i; // the leading dot was dropped
        } else if (dotState == 2) {
          if (b == '\n') {
            position = i + 1;
            return seen;
          }
          // ".\r" followed by something else: keep "\r" as content
          seen += emit(sink, new byte[] {'\r'}, 0, 1, seen, maxBytes);
          dotState = 0;
          copyFrom = i;
        }
        if (atLineStart && b == '.') {
          seen += emit(sink, buffer, copyFrom, i - copyFrom, seen, maxBytes);
          dotState = 1;
          atLineStart = false;
          i++;
          copyFrom = i;
          continue;
        }
        atLineStart = b == '\n';
        i++;
      }
      if (dotState == 0) {
        seen += emit(sink, buffer, copyFrom, i - copyFrom, seen, maxBytes);
      }
      position = end;
    }
  }

  /**
   * Copies exactly {@code count} bytes (a BDAT chunk) to {@code sink}, dropping what exceeds {@code
   * maxBytes - alreadySeen}.
   *
   * @return false if the stream ended early
   */
  boolean readChunk(OutputStream sink, long count, long alreadySeen, long maxBytes)
      throws IOException {
    long remaining = count;
    long seen = alreadySeen;
    while (remaining > 0) {
      if (!fill()) {
        return false;
      }
      int n = (int) Math.min(remaining, limit - position);
      seen += emit(sink, buffer, position, n, seen, maxBytes);
      position += n;
      remaining -= n;
    }
    return true;
  }

  private static int emit(
      OutputStream sink, byte[] bytes, int offset, int length, long seen, long maxBytes)
      throws IOException {
    if (length <= 0) {
      return 0;
    }
    long room = maxBytes - seen;
    if (room > 0) {
      sink.write(bytes, offset, (int) Math.min(room, length));
    }
    return length;
  }
}
