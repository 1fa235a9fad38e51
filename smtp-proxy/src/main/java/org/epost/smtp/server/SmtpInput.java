package org.epost.smtp.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

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

  /**
   * Thrown when a command line or a data transfer has not completed by its deadline, however many
   * bytes trickled in meanwhile (docs/adr/0046).
   */
  static final class DeadlineException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    DeadlineException(String message) {
      super(message);
    }
  }

  private final InputStream in;
  private final Socket socket;
  private final int idleMillis;
  private final byte[] buffer = new byte[16 * 1024];
  private int position;
  private int limit;
  private int currentTimeout = -1;

  // The deadline of the current command line or transfer (System.nanoTime), and the minimum-rate
  // rule of a transfer: it must have delivered minBytesPerSecond for every second after the grace.
  private long deadline = Long.MAX_VALUE;
  private String deadlineWhat = "";
  private boolean rateRule;
  private long rateStart;
  private long rateGraceNanos;
  private long minBytesPerSecond;
  private long rateBytes;

  /**
   * @param socket the connection (its read timeout is set before every blocking read)
   * @param idleMillis longest silence between two reads
   */
  SmtpInput(Socket socket, int idleMillis) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.idleMillis = idleMillis;
  }

  /** Over a plain stream without timeouts (unit tests of the framing). */
  SmtpInput(InputStream in) {
    this.socket = null;
    this.in = in;
    this.idleMillis = Integer.MAX_VALUE;
  }

  /** The next command line must be complete within {@code timeout} from now. */
  void startLine(Duration timeout) {
    rateRule = false;
    deadline = System.nanoTime() + timeout.toNanos();
    deadlineWhat = "command line not completed within " + timeout.toSeconds() + " s";
  }

  /**
   * A DATA body or BDAT chunk must be complete within {@code timeout} from now, and after {@code
   * grace} must have arrived at {@code minBytesPerSecond} on average at least.
   */
  void startTransfer(Duration timeout, Duration grace, long minBytesPerSecond) {
    long now = System.nanoTime();
    deadline = now + timeout.toNanos();
    deadlineWhat = "message data not completed within " + timeout.toSeconds() + " s";
    rateRule = minBytesPerSecond > 0;
    rateStart = now;
    // At least one second, so that the first read of a transfer is never judged on zero bytes.
    rateGraceNanos = Math.max(1_000_000_000L, grace.toNanos());
    this.minBytesPerSecond = minBytesPerSecond;
    rateBytes = 0;
  }

  /** Nanoseconds until the current deadline (or rate rule) is broken; may be negative. */
  private long remaining(long now) {
    long left = deadline - now;
    if (rateRule) {
      long earned = rateGraceNanos + rateBytes * 1_000_000_000L / minBytesPerSecond;
      left = Math.min(left, rateStart + earned - now);
    }
    return left;
  }

  private String brokenRule(long now) {
    if (deadline - now <= 0) {
      return deadlineWhat;
    }
    return "message data slower than " + minBytesPerSecond + " bytes per second";
  }

  /**
   * The next byte without consuming it, waiting for it under the current deadline; -1 at end of
   * stream.
   */
  int peek() throws IOException {
    return fill() ? buffer[position] & 0xff : -1;
  }

  /** True if bytes the client already sent are waiting (pipelined commands). */
  boolean hasBufferedInput() {
    return position < limit;
  }

  private boolean fill() throws IOException {
    if (position < limit) {
      return true;
    }
    long now = System.nanoTime();
    long left = remaining(now);
    if (left <= 0) {
      throw new DeadlineException(brokenRule(now));
    }
    int timeout = (int) Math.max(1, Math.min(idleMillis, (left + 999_999) / 1_000_000));
    if (socket != null && timeout != currentTimeout) {
      socket.setSoTimeout(timeout);
      currentTimeout = timeout;
    }
    int n;
    try {
      n = in.read(buffer, 0, buffer.length);
    } catch (SocketTimeoutException e) {
      long after = System.nanoTime();
      if (remaining(after) <= 0) {
        throw new DeadlineException(brokenRule(after));
      }
      throw e;
    }
    if (n <= 0) {
      return false;
    }
    rateBytes += n;
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
   * Copies a DATA body to {@code sink} until the terminating {@code CRLF.CRLF} (the CRLF of the
   * DATA command counts, so a dot line at once ends an empty body), removing the transparency dots
   * (RFC 5321 4.5.2). Nothing else ends the body: {@code LF.LF}, {@code CRLF.LF}, {@code CR.CR} and
   * the other sequences of the SMTP smuggling write-ups are content here, and {@link ContentCheck}
   * refuses the message that carries them (docs/adr/0045). Once more than {@code maxBytes} were
   * written the rest is read and dropped.
   *
   * @return the number of body bytes seen (may exceed {@code maxBytes}), or -1 if the stream ended
   *     before the terminator
   */
  long readData(OutputStream sink, long maxBytes) throws IOException {
    long seen = 0;
    int state = LINE_START;
    while (true) {
      if (!fill()) {
        return -1;
      }
      int end = limit;
      int i = position;
      int copyFrom = i;
      while (i < end) {
        byte b = buffer[i];
        switch (state) {
          case LINE_START -> {
            if (b == '.') {
              seen += emit(sink, buffer, copyFrom, i - copyFrom, seen, maxBytes);
              copyFrom = i + 1; // the dot is either the terminator or a transparency dot
              state = DOT;
            } else {
              state = b == '\r' ? CR : MIDDLE;
            }
          }
          case MIDDLE -> {
            if (b == '\r') {
              state = CR;
            }
          }
          case CR -> {
            if (b == '\n') {
              state = LINE_START;
            } else if (b != '\r') {
              state = MIDDLE;
            }
          }
          case DOT -> {
            if (b == '\r') {
              copyFrom = i + 1; // held back until we know whether LF follows
              state = DOT_CR;
            } else {
              state = MIDDLE; // a transparency dot, already dropped; b is content
            }
          }
          default -> { // DOT_CR
            if (b == '\n') {
              position = i + 1;
              return seen;
            }
            // ".\r" then something else: the dot was a transparency dot, the CR is content
            seen += emit(sink, CR_BYTE, 0, 1, seen, maxBytes);
            copyFrom = i;
            state = b == '\r' ? CR : MIDDLE;
          }
        }
        i++;
      }
      seen += emit(sink, buffer, copyFrom, end - copyFrom, seen, maxBytes);
      position = end;
    }
  }

  private static final int LINE_START = 0;
  private static final int MIDDLE = 1;
  private static final int CR = 2;
  private static final int DOT = 3;
  private static final int DOT_CR = 4;
  private static final byte[] CR_BYTE = {'\r'};

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
