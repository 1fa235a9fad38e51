package org.epost.mail.submit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.mail.api.MailNotice;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.MessageRef;

/**
 * One message in the outbox: its envelope and how far it got. The persistent fields are written by
 * {@link #encode()} into the entry's state file on every change; the transient ones live while the
 * daemon runs. Confined to the dispatcher's thread once loaded.
 */
final class OutboxEntry {
  /** A recipient's progress in the outbox. */
  enum Progress {
    PENDING,
    NOTIFIED,
    FAILED
  }

  static final class Recipient {
    final String address;
    Progress progress;
    String reason;

    Recipient(String address, Progress progress, String reason) {
      this.address = address;
      this.progress = progress;
      this.reason = reason;
    }
  }

  final String id;
  final long createdMillis;
  final MailNotice.Origin origin;
  final String reversePath;
  final String messageId;
  final String clientAddress;
  final List<Recipient> recipients;
  final long messageBytes;
  StoredMail stored;
  boolean sentCopyFiled;
  boolean reportFiled;
  int attempts;

  // transient
  boolean inFlight;
  boolean retryScheduled;
  boolean removed;

  /** System.nanoTime() at the first attempt's start, its store's end (0: not yet). */
  long attemptNanos;

  long storedNanos;
  final CompletableFuture<Dispatcher.Outcome> firstOutcome = new CompletableFuture<>();

  OutboxEntry(
      String id,
      long createdMillis,
      MailNotice.Origin origin,
      String reversePath,
      String messageId,
      String clientAddress,
      List<Recipient> recipients,
      long messageBytes) {
    this.id = id;
    this.createdMillis = createdMillis;
    this.origin = origin;
    this.reversePath = reversePath;
    this.messageId = messageId;
    this.clientAddress = clientAddress;
    this.recipients = recipients;
    this.messageBytes = messageBytes;
  }

  List<Recipient> pending() {
    return recipients.stream().filter(r -> r.progress == Progress.PENDING).toList();
  }

  boolean settled() {
    return pending().isEmpty();
  }

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeUTF(id);
      out.writeLong(createdMillis);
      out.writeByte(origin.ordinal());
      out.writeUTF(reversePath);
      out.writeUTF(messageId);
      out.writeUTF(clientAddress);
      out.writeLong(messageBytes);
      out.writeInt(recipients.size());
      for (Recipient r : recipients) {
        out.writeUTF(r.address);
        out.writeByte(r.progress.ordinal());
        out.writeUTF(truncate(r.reason));
      }
      out.writeBoolean(stored != null);
      if (stored != null) {
        byte[] ref = stored.ref().encode();
        out.writeShort(ref.length);
        out.write(ref);
        out.writeLong(stored.size());
        out.writeLong(stored.expiryWallMillis());
        out.writeShort(stored.layout().length);
        out.write(stored.layout());
      }
      out.writeBoolean(sentCopyFiled);
      out.writeBoolean(reportFiled);
      out.writeInt(attempts);
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory", e);
    }
    return bytes.toByteArray();
  }

  static OutboxEntry decode(byte[] bytes) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readUnsignedByte() != 1) {
        throw new IOException("unknown outbox entry version");
      }
      String id = in.readUTF();
      long created = in.readLong();
      MailNotice.Origin origin = MailNotice.Origin.values()[in.readUnsignedByte()];
      String reversePath = in.readUTF();
      String messageId = in.readUTF();
      String client = in.readUTF();
      long messageBytes = in.readLong();
      int n = in.readInt();
      if (n < 1 || n > 10_000) {
        throw new IOException("outbox entry with " + n + " recipients");
      }
      List<Recipient> recipients = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        recipients.add(
            new Recipient(in.readUTF(), Progress.values()[in.readUnsignedByte()], in.readUTF()));
      }
      OutboxEntry e =
          new OutboxEntry(
              id, created, origin, reversePath, messageId, client, recipients, messageBytes);
      if (in.readBoolean()) {
        byte[] ref = in.readNBytes(in.readUnsignedShort());
        long size = in.readLong();
        long expiry = in.readLong();
        byte[] layout = in.readNBytes(in.readUnsignedShort());
        e.stored = new StoredMail(MessageRef.decode(ref), size, layout, expiry);
      }
      e.sentCopyFiled = in.readBoolean();
      e.reportFiled = in.readBoolean();
      e.attempts = in.readInt();
      return e;
    } catch (CryptoFormatException | RuntimeException e) {
      throw new IOException("damaged outbox entry", e);
    }
  }

  private static String truncate(String s) {
    return s.length() > 500 ? s.substring(0, 500) : s;
  }
}
