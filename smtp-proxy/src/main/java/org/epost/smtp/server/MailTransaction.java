package org.epost.smtp.server;

import java.util.ArrayList;
import java.util.List;

/**
 * One MAIL FROM ... DATA/BDAT LAST transaction of a session: the reverse path, the accepted
 * recipients split into local and relayed ones, and the body being received by BDAT.
 *
 * <p>Not thread-safe; owned by one session thread.
 */
final class MailTransaction {
  final String reversePath;
  final boolean smtpUtf8;
  final List<String> recipients = new ArrayList<>();
  final List<String> localRecipients = new ArrayList<>();
  final List<String> relayedRecipients = new ArrayList<>();

  /** The body received so far by BDAT chunks, or null. */
  MessageSpool chunks;

  /** The content check in front of {@link #chunks}, across chunk boundaries. */
  ContentCheck chunkCheck;

  /** Bytes the client sent by BDAT so far (counted even past the size limit). */
  long chunkBytes;

  MailTransaction(String reversePath, boolean smtpUtf8) {
    this.reversePath = reversePath;
    this.smtpUtf8 = smtpUtf8;
  }

  void addRecipient(String address, boolean local) {
    recipients.add(address);
    (local ? localRecipients : relayedRecipients).add(address);
  }

  void discardChunks() {
    if (chunks != null) {
      try {
        chunks.close();
      } catch (java.io.IOException ignored) {
        // a temporary file that cannot be deleted is left for the OS's tmp cleaner
      }
      chunks = null;
    }
  }
}
