package org.epost.smtp.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The mutable part of one queued message: envelope, per-recipient state and retry schedule. Its
 * on-disk form is the {@code <id>.env} text file next to the immutable {@code <id>.msg}; every
 * change is written as a whole new file and renamed over the old one.
 *
 * <p>Not thread-safe; owned by the relay worker once committed.
 */
final class QueueEntry {
  private static final String MAGIC = "epost-relay-queue 1";

  /** Where one recipient stands. */
  enum RecipientState {
    PENDING,
    DELIVERED,
    FAILED
  }

  /** One recipient with its state and the last reply seen for it. */
  static final class Recipient {
    final String address;
    RecipientState state;
    String lastReply;

    Recipient(String address, RecipientState state, String lastReply) {
      this.address = address;
      this.state = state;
      this.lastReply = lastReply;
    }
  }

  final String id;
  final String reversePath;
  final String messageId;
  final long createdMillis;
  final boolean isBounce;
  final List<Recipient> recipients;
  int attempts;
  long nextAttemptMillis;

  /**
   * Where the message lies in its queue file (set when written or loaded; not part of the
   * encoding).
   */
  long messageOffset;

  long messageLength;

  QueueEntry(
      String id,
      String reversePath,
      String messageId,
      long createdMillis,
      boolean isBounce,
      List<Recipient> recipients,
      int attempts,
      long nextAttemptMillis) {
    this.id = id;
    this.reversePath = reversePath;
    this.messageId = messageId;
    this.createdMillis = createdMillis;
    this.isBounce = isBounce;
    this.recipients = recipients;
    this.attempts = attempts;
    this.nextAttemptMillis = nextAttemptMillis;
  }

  List<Recipient> pending() {
    return recipients.stream().filter(r -> r.state == RecipientState.PENDING).toList();
  }

  List<Recipient> failed() {
    return recipients.stream().filter(r -> r.state == RecipientState.FAILED).toList();
  }

  byte[] encode() {
    StringBuilder b = new StringBuilder(MAGIC).append('\n');
    b.append("id\t").append(id).append('\n');
    b.append("from\t").append(reversePath).append('\n');
    b.append("message-id\t").append(clean(messageId)).append('\n');
    b.append("created\t").append(createdMillis).append('\n');
    b.append("bounce\t").append(isBounce).append('\n');
    b.append("attempts\t").append(attempts).append('\n');
    b.append("next\t").append(nextAttemptMillis).append('\n');
    for (Recipient r : recipients) {
      b.append("rcpt\t")
          .append(r.state)
          .append('\t')
          .append(r.address)
          .append('\t')
          .append(clean(r.lastReply))
          .append('\n');
    }
    b.append("end\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses an envelope file; a truncated or foreign file is an IOException. */
  static QueueEntry decode(byte[] bytes) throws IOException {
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    if (lines.length < 9 || !lines[0].equals(MAGIC)) {
      throw new IOException("not a relay queue envelope file");
    }
    String id = null;
    String from = null;
    String messageId = "";
    long created = 0;
    boolean bounce = false;
    int attempts = 0;
    long next = 0;
    boolean ended = false;
    List<Recipient> recipients = new ArrayList<>();
    try {
      for (int i = 1; i < lines.length; i++) {
        String[] f = lines[i].split("\t", -1);
        switch (f[0]) {
          case "id" -> id = f[1];
          case "from" -> from = f[1];
          case "message-id" -> messageId = f[1];
          case "created" -> created = Long.parseLong(f[1]);
          case "bounce" -> bounce = Boolean.parseBoolean(f[1]);
          case "attempts" -> attempts = Integer.parseInt(f[1]);
          case "next" -> next = Long.parseLong(f[1]);
          case "rcpt" -> recipients.add(new Recipient(f[2], RecipientState.valueOf(f[1]), f[3]));
          case "end" -> ended = true;
          case "" -> {}
          default -> throw new IOException("unknown field " + f[0]);
        }
      }
    } catch (RuntimeException e) {
      throw new IOException("corrupt relay queue envelope file", e);
    }
    if (!ended || id == null || from == null || recipients.isEmpty()) {
      throw new IOException("incomplete relay queue envelope file");
    }
    return new QueueEntry(id, from, messageId, created, bounce, recipients, attempts, next);
  }

  private static String clean(String s) {
    return s == null ? "" : s.replaceAll("[\\t\\r\\n]+", " ");
  }
}
