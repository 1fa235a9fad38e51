package org.epost.mail.delivery;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.epost.post.api.MailAddress;

/**
 * The header lines this node prepends to a message it files from a notification: an {@code
 * Authentication-Results} field (RFC 8601) and a {@code Received} line (RFC 5321 4.4).
 *
 * <p>Ring mail: method {@code x-epost-ring} says the notification's sender was verified against the
 * ring's directory (always {@code pass}: post-core drops any other before it reaches here), with
 * {@code smtp.mailfrom} the certified address; method {@code x-epost-from} compares the message's
 * From header with it: {@code pass} when From names exactly the certified address, {@code fail}
 * when it names another address (a ring user may not pose as someone else, and the reader is told
 * so), {@code neutral} when From is missing, unparseable or names several mailboxes (ADR 0115).
 *
 * <p>Internet mail through a ring gateway: {@code none}, with a comment naming the gateway and the
 * SMTP client: nothing about the sender was authenticated.
 */
final class AuthenticationResults {
  private static final int MAX_HEADER_SCAN = 64 * 1024;

  private AuthenticationResults() {}

  /** The From comparison. */
  enum FromResult {
    PASS,
    FAIL,
    NEUTRAL
  }

  static String forRing(
      String authservId,
      String certifiedSender,
      long certificateSerial,
      FromResult from,
      String fromAddress) {
    StringBuilder b = new StringBuilder();
    b.append("Authentication-Results: ").append(authservId).append(";\r\n");
    b.append("\tx-epost-ring=pass (sender's ring certificate verified, serial ")
        .append(certificateSerial)
        .append(")\r\n\tsmtp.mailfrom=")
        .append(certifiedSender)
        .append(";\r\n");
    b.append("\tx-epost-from=").append(from.name().toLowerCase(Locale.ROOT));
    switch (from) {
      case PASS -> b.append(" header.from=").append(fromAddress);
      case FAIL ->
          b.append(" (From names another address than the certified sender)")
              .append(fromAddress == null ? "" : " header.from=" + fromAddress);
      case NEUTRAL -> b.append(" (no single From address to compare)");
    }
    b.append("\r\n");
    return b.toString();
  }

  static String forInternet(String authservId, String gateway, String clientAddress) {
    return "Authentication-Results: "
        + authservId
        + "; none\r\n\t(received from the Internet unauthenticated by ring gateway "
        + gateway
        + (clientAddress.isEmpty() ? "" : ", SMTP client " + clientAddress)
        + ")\r\n";
  }

  static String received(
      String authservId,
      String certifiedSender,
      String notificationId,
      String recipient,
      ZonedDateTime now) {
    return "Received: from "
        + certifiedSender
        + " by "
        + authservId
        + " (ePOST)\r\n\twith x-epost-ring id "
        + notificationId
        + "\r\n\tfor <"
        + recipient
        + ">; "
        + DateTimeFormatter.RFC_1123_DATE_TIME.format(now)
        + "\r\n";
  }

  /**
   * Compares the From field of {@code headerSection} with {@code certifiedSender}; returns the
   * result and, for PASS and FAIL, the From address as a normalised ring address (or null if it
   * cannot be written in a header safely).
   */
  /** The From comparison's result and the From address (null when not safely writable). */
  record FromCheck(FromResult result, String address) {}

  static FromCheck compareFrom(byte[] headerSection, String certifiedSender) {
    List<String> values = fields(headerSection, "from");
    if (values.size() != 1) {
      return new FromCheck(FromResult.NEUTRAL, null);
    }
    List<String> mailboxes = new ArrayList<>();
    try {
      AddressList list = LenientAddressParser.DEFAULT.parseAddressList(values.get(0));
      for (Address a : list) {
        if (a instanceof Mailbox m) {
          mailboxes.add(m.getAddress());
        } else if (a instanceof Group g) {
          g.getMailboxes().forEach(m -> mailboxes.add(m.getAddress()));
        }
      }
    } catch (RuntimeException e) {
      return new FromCheck(FromResult.NEUTRAL, null);
    }
    if (mailboxes.size() != 1) {
      return new FromCheck(FromResult.NEUTRAL, null);
    }
    String normalised;
    try {
      normalised = MailAddress.parse(mailboxes.get(0)).value();
    } catch (IllegalArgumentException e) {
      return new FromCheck(FromResult.FAIL, null);
    }
    boolean safe = normalised.matches("[\\x21-\\x7e&&[^()\\\\;\"]]+");
    if (normalised.equals(certifiedSender)) {
      return new FromCheck(FromResult.PASS, safe ? normalised : null);
    }
    return new FromCheck(FromResult.FAIL, safe ? normalised : null);
  }

  /** The unfolded values of the fields named {@code name} in a header section. */
  static List<String> fields(byte[] headerSection, String name) {
    String text =
        new String(
            headerSection,
            0,
            Math.min(headerSection.length, MAX_HEADER_SCAN),
            StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    StringBuilder current = null;
    for (String line : text.split("\r?\n", -1)) {
      if (line.isEmpty()) {
        break;
      }
      if ((line.startsWith(" ") || line.startsWith("\t")) && current != null) {
        current.append(line);
        continue;
      }
      if (current != null) {
        out.add(current.toString().trim());
        current = null;
      }
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        current = new StringBuilder(line.substring(colon + 1));
      }
    }
    if (current != null) {
      out.add(current.toString().trim());
    }
    return out;
  }

  /**
   * The first field named {@code name} of {@code headerSection}, its encoded words (RFC 2047)
   * decoded; empty when absent.
   */
  static String decodedField(byte[] headerSection, String name) {
    if (headerSection == null) {
      return "";
    }
    List<String> values = fields(headerSection, name);
    if (values.isEmpty()) {
      return "";
    }
    try {
      return org.apache.james.mime4j.codec.DecoderUtil.decodeEncodedWords(
          values.get(0), org.apache.james.mime4j.codec.DecodeMonitor.SILENT);
    } catch (RuntimeException e) {
      return values.get(0);
    }
  }

  /** Printable ASCII without comment delimiters, for use inside a comment. */
  static String commentSafe(String s) {
    return s.replaceAll("[^\\x21-\\x7e]|[()\\\\]", "?");
  }
}
