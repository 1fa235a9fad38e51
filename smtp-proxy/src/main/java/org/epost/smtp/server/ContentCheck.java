package org.epost.smtp.server;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes message content through to the spool while checking that every CR is followed by LF, every
 * LF follows a CR and no byte is NUL. Neither 7BIT nor 8BITMIME content (RFC 5321 2.3.8, RFC 6152)
 * may carry these, and a bare CR or LF is what lets a body hide a second message from a server that
 * reads line ends more loosely than we do (SMTP smuggling, docs/adr/0045). Once a problem is seen
 * nothing more is passed on: the message will be refused.
 *
 * <p>The state carries across writes, so BDAT chunk boundaries cannot hide a bare CR. Not
 * thread-safe; one per transaction.
 */
final class ContentCheck extends OutputStream {
  /** What was wrong with the content, if anything. */
  enum Problem {
    NONE,
    BARE_CR,
    BARE_LF,
    NUL;

    /** The reply that refuses a message with this problem. */
    String reply() {
      return switch (this) {
        case BARE_CR, BARE_LF ->
            "554 5.6.11 Bare "
                + (this == BARE_CR ? "CR" : "LF")
                + " in message content; lines must end with CRLF. Message refused";
        case NUL -> "554 5.6.0 NUL byte in message content. Message refused";
        case NONE -> throw new IllegalStateException("no problem");
      };
    }
  }

  private final OutputStream out;
  private boolean afterCr;
  private Problem problem = Problem.NONE;

  ContentCheck(OutputStream out) {
    this.out = out;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    if (problem != Problem.NONE) {
      return;
    }
    boolean cr = afterCr;
    for (int i = offset, end = offset + length; i < end; i++) {
      byte b = bytes[i];
      if (cr && b != '\n') {
        problem = Problem.BARE_CR;
        return;
      }
      if (b == '\n' && !cr) {
        problem = Problem.BARE_LF;
        return;
      }
      if (b == 0) {
        problem = Problem.NUL;
        return;
      }
      cr = b == '\r';
    }
    afterCr = cr;
    out.write(bytes, offset, length);
  }

  /** The verdict once the whole content was written (a trailing CR is bare). */
  Problem finish() {
    if (problem == Problem.NONE && afterCr) {
      problem = Problem.BARE_CR;
    }
    return problem;
  }
}
