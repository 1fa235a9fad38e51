package org.epost.post.api;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * A user's address in this ring, normalised so that every node computes the same directory entry id
 * for it (ADR 0104).
 *
 * <p>Normalisation: Unicode NFC (RFC 6531's recommendation for SMTPUTF8 addresses); the domain
 * converted to its ASCII (A-label) form with {@link IDN#toASCII} and lower-cased; ASCII letters of
 * the local part lower-cased (the ring's authority owns its whole namespace and defines local parts
 * as case-insensitive, as RFC 5321 section 2.4 lets the receiving host decide, so that {@code
 * Alice@} and {@code alice@} cannot be two users); non-ASCII letters of the local part are kept as
 * they are (Unicode case folding depends on the locale).
 *
 * <p>Accepted: a dot-atom local part (1..64 UTF-8 bytes of RFC 5322 {@code atext} or non-ASCII
 * letters, no leading, trailing or doubled dot), one {@code @}, a domain of 1..255 bytes in
 * dot-separated labels of 1..63 letters, digits and hyphens (not starting or ending with a hyphen),
 * at most 254 bytes in all (RFC 5321's path limit without the angle brackets, and the user
 * certificate's bound). Refused: control characters (C0, DEL, C1), white space, quoted local parts
 * and address literals. Immutable.
 */
public record MailAddress(String value) {
  /** Longest local part, in UTF-8 bytes (RFC 5321 section 4.5.3.1.1). */
  public static final int MAX_LOCAL = 64;

  /** Longest domain, in bytes (RFC 5321 section 4.5.3.1.2). */
  public static final int MAX_DOMAIN = 255;

  /** Longest address, in UTF-8 bytes. */
  public static final int MAX_ADDRESS = 254;

  private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

  /** Checks that {@code value} is already normalised; use {@link #parse} for user input. */
  public MailAddress {
    if (value == null || !value.equals(normalise(value))) {
      throw new IllegalArgumentException("not a normalised address: " + value);
    }
  }

  /**
   * Parses and normalises an address typed by a user or found in a message.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static MailAddress parse(String address) {
    return new MailAddress(normalise(address));
  }

  /** The local part (before the {@code @}). */
  public String localPart() {
    return value.substring(0, value.lastIndexOf('@'));
  }

  /** The domain (A-labels, lower case). */
  public String domain() {
    return value.substring(value.lastIndexOf('@') + 1);
  }

  @Override
  public String toString() {
    return value;
  }

  static String normalise(String raw) {
    if (raw == null) {
      throw new IllegalArgumentException("no address");
    }
    if (raw.length() > 4 * MAX_ADDRESS) {
      throw new IllegalArgumentException("address longer than " + MAX_ADDRESS + " bytes");
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
        throw new IllegalArgumentException("address contains a control character");
      }
      if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
        throw new IllegalArgumentException("address contains white space");
      }
    }
    String s = Normalizer.normalize(raw, Normalizer.Form.NFC);
    int at = s.indexOf('@');
    if (at < 0 || at != s.lastIndexOf('@')) {
      throw new IllegalArgumentException("an address has exactly one '@': " + raw);
    }
    String local = s.substring(0, at);
    String domain = s.substring(at + 1);
    local = checkLocal(local);
    domain = checkDomain(domain);
    String out = local + "@" + domain;
    if (out.getBytes(StandardCharsets.UTF_8).length > MAX_ADDRESS) {
      throw new IllegalArgumentException("address longer than " + MAX_ADDRESS + " bytes");
    }
    return out;
  }

  private static String checkLocal(String local) {
    if (local.isEmpty()) {
      throw new IllegalArgumentException("empty local part");
    }
    if (local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL) {
      throw new IllegalArgumentException("local part longer than " + MAX_LOCAL + " bytes");
    }
    if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
      throw new IllegalArgumentException("local part has a leading, trailing or doubled dot");
    }
    StringBuilder b = new StringBuilder(local.length());
    for (int i = 0; i < local.length(); ) {
      int cp = local.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x80) {
        boolean ok =
            (cp >= 'a' && cp <= 'z')
                || (cp >= 'A' && cp <= 'Z')
                || (cp >= '0' && cp <= '9')
                || cp == '.'
                || ATEXT_SPECIALS.indexOf(cp) >= 0;
        if (!ok) {
          throw new IllegalArgumentException(
              "local part contains '" + (char) cp + "' (quoted local parts are not accepted)");
        }
        b.append(cp >= 'A' && cp <= 'Z' ? (char) (cp + 32) : (char) cp);
      } else {
        int type = Character.getType(cp);
        if (type == Character.CONTROL
            || type == Character.FORMAT
            || type == Character.UNASSIGNED
            || type == Character.PRIVATE_USE
            || type == Character.SURROGATE) {
          throw new IllegalArgumentException(
              "local part contains an invisible or unassigned code point");
        }
        b.appendCodePoint(cp);
      }
    }
    return b.toString();
  }

  private static String checkDomain(String domain) {
    if (domain.isEmpty()) {
      throw new IllegalArgumentException("empty domain");
    }
    if (domain.startsWith("[")) {
      throw new IllegalArgumentException("address literals are not accepted");
    }
    String ascii;
    try {
      ascii = IDN.toASCII(domain, 0);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("domain is not a valid host name: " + e.getMessage());
    }
    ascii = ascii.toLowerCase(java.util.Locale.ROOT);
    if (ascii.length() > MAX_DOMAIN) {
      throw new IllegalArgumentException("domain longer than " + MAX_DOMAIN + " bytes");
    }
    for (String label : ascii.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63) {
        throw new IllegalArgumentException("domain labels are 1..63 characters: " + domain);
      }
      if (label.startsWith("-") || label.endsWith("-")) {
        throw new IllegalArgumentException("a domain label starts or ends with '-': " + domain);
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          throw new IllegalArgumentException("domain contains '" + c + "': " + domain);
        }
      }
    }
    return ascii;
  }
}
