package org.epost.mail.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.post.api.MessageRef;

/**
 * What travels in a notification about one message: the message store's reference (the
 * notification's {@code messageReference}: {@link MessageRef#encode()}, nothing else) and a part
 * summary (the notification's {@code partSummary}) with the message's size, lease expiry and
 * layout, where it came from, and the sender's Message-ID.
 *
 * <p>Summary encoding, version 1 (big-endian): the bytes {@code "EPN"}, version {@code 1}, origin
 * (1 byte: 0 ring, 1 Internet), size (8), lease expiry (8), layout (2-byte length, at most {@link
 * #MAX_LAYOUT_BYTES}), envelope sender (2-byte length, UTF-8, at most {@link #MAX_ADDRESS_BYTES}),
 * client address (1-byte length, ASCII), Message-ID (2-byte length, UTF-8, at most {@link
 * #MAX_MESSAGE_ID_BYTES}); nothing after. Decoding refuses anything else with {@link
 * MailException.Kind#CORRUPT}: a notification is the sender's input and is checked as such.
 *
 * @param mail the stored message
 * @param origin where the message came from; {@link Origin#INTERNET} counts only when the
 *     notification's certified sender is one of the ring's gateways (the recipient decides)
 * @param envelopeSender the SMTP MAIL FROM the sender's node accepted ("" for the null path)
 * @param clientAddress for Internet mail the gateway's SMTP client address, else ""
 * @param messageId the message's Message-ID field value (with angle brackets), or ""
 */
public record MailNotice(
    StoredMail mail, Origin origin, String envelopeSender, String clientAddress, String messageId) {
  /** Largest layout carried. */
  public static final int MAX_LAYOUT_BYTES = 4096;

  /** Largest envelope sender carried, in UTF-8 bytes (RFC 5321 path limit). */
  public static final int MAX_ADDRESS_BYTES = 256;

  /** Largest Message-ID carried, in UTF-8 bytes (RFC 5322 line limit). */
  public static final int MAX_MESSAGE_ID_BYTES = 998;

  private static final byte[] MAGIC = {'E', 'P', 'N'};
  private static final int VERSION = 1;

  /** Where a message entered the ring. */
  public enum Origin {
    /** Submitted by a ring user at their own node. */
    RING,
    /** Received from the Internet by a gateway node, unauthenticated. */
    INTERNET
  }

  public MailNotice {
    Objects.requireNonNull(mail, "mail");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(envelopeSender, "envelopeSender");
    Objects.requireNonNull(clientAddress, "clientAddress");
    Objects.requireNonNull(messageId, "messageId");
    if (mail.layout().length > MAX_LAYOUT_BYTES) {
      throw new IllegalArgumentException("layout over " + MAX_LAYOUT_BYTES + " bytes");
    }
    if (utf8(envelopeSender).length > MAX_ADDRESS_BYTES || hasControl(envelopeSender)) {
      throw new IllegalArgumentException("envelope sender too long or with control characters");
    }
    if (clientAddress.length() > 64 || !clientAddress.matches("[0-9A-Fa-f.:]*")) {
      throw new IllegalArgumentException("not an IP address: " + clientAddress);
    }
    if (utf8(messageId).length > MAX_MESSAGE_ID_BYTES || hasControl(messageId)) {
      throw new IllegalArgumentException("Message-ID too long or with control characters");
    }
  }

  /** The notification's message reference. */
  public byte[] reference() {
    return mail.ref().encode();
  }

  /** The notification's part summary. */
  public byte[] summary() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + mail.layout().length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeByte(VERSION);
      out.writeByte(origin.ordinal());
      out.writeLong(mail.size());
      out.writeLong(mail.expiryWallMillis());
      writeBytes(out, mail.layout());
      writeBytes(out, utf8(envelopeSender));
      byte[] client = clientAddress.getBytes(StandardCharsets.US_ASCII);
      out.writeByte(client.length);
      out.write(client);
      writeBytes(out, utf8(messageId));
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes a notification's reference and summary.
   *
   * @throws MailException of kind {@link MailException.Kind#CORRUPT} if either is malformed
   */
  public static MailNotice decode(byte[] reference, byte[] summary) {
    MessageRef ref;
    try {
      ref = MessageRef.decode(reference);
    } catch (CryptoFormatException | RuntimeException e) {
      throw new MailException(MailException.Kind.CORRUPT, "not a message reference", e);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(summary))) {
      byte[] magic = in.readNBytes(3);
      if (!java.util.Arrays.equals(magic, MAGIC) || in.readUnsignedByte() != VERSION) {
        throw corrupt("unknown part summary format");
      }
      int originCode = in.readUnsignedByte();
      if (originCode >= Origin.values().length) {
        throw corrupt("unknown origin " + originCode);
      }
      long size = in.readLong();
      long expiry = in.readLong();
      byte[] layout = readBytes(in, MAX_LAYOUT_BYTES);
      String sender = new String(readBytes(in, MAX_ADDRESS_BYTES), StandardCharsets.UTF_8);
      byte[] client = in.readNBytes(in.readUnsignedByte());
      String messageId = new String(readBytes(in, MAX_MESSAGE_ID_BYTES), StandardCharsets.UTF_8);
      if (in.read() != -1) {
        throw corrupt("bytes after the part summary");
      }
      return new MailNotice(
          new StoredMail(ref, size, layout, expiry),
          Origin.values()[originCode],
          sender,
          new String(client, StandardCharsets.US_ASCII),
          messageId);
    } catch (IOException e) {
      throw corrupt("truncated part summary");
    } catch (IllegalArgumentException e) {
      throw corrupt("invalid part summary: " + e.getMessage());
    }
  }

  private static MailException corrupt(String why) {
    return new MailException(MailException.Kind.CORRUPT, why);
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeShort(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in, int max) throws IOException {
    int n = in.readUnsignedShort();
    if (n > max) {
      throw corrupt("field of " + n + " bytes over its bound " + max);
    }
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new java.io.EOFException();
    }
    return b;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
