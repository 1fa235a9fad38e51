package org.epost.smtp.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed {@code MAIL FROM:<...> params} or {@code RCPT TO:<...> params} argument (RFC 5321
 * 4.1.2). Quoted local parts, source routes (ignored) and UTF-8 (RFC 6531) are understood.
 *
 * @param address the address without brackets; empty for the null reverse-path
 * @param parameters the ESMTP parameters as given, e.g. "SIZE=1000"
 */
record MailPath(String address, List<String> parameters) {
  static final int MAX_ADDRESS_LENGTH = 254;

  /** Thrown with a reply line for the client. */
  static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxException(String reply) {
      super(reply);
    }
  }

  /**
   * @param argument the text after the verb, e.g. {@code "FROM:<a@b> SIZE=10"}
   * @param keyword "FROM:" or "TO:"
   */
  static MailPath parse(String argument, String keyword) throws SyntaxException {
    String syntax =
        "501 5.5.4 Syntax: "
            + (keyword.equals("FROM:") ? "MAIL FROM:<address>" : "RCPT TO:<address>");
    if (argument.length() < keyword.length()
        || !argument.substring(0, keyword.length()).toUpperCase(Locale.ROOT).equals(keyword)) {
      throw new SyntaxException(syntax);
    }
    String rest = argument.substring(keyword.length()).stripLeading();
    if (rest.isEmpty() || rest.charAt(0) != '<') {
      throw new SyntaxException(syntax);
    }
    int close = -1;
    boolean quoted = false;
    for (int i = 1; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '\\' && quoted) {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '>' && !quoted) {
        close = i;
        break;
      }
    }
    if (close < 0) {
      throw new SyntaxException(syntax);
    }
    String address = rest.substring(1, close);
    if (address.startsWith("@")) {
      int colon = address.indexOf(':');
      if (colon < 0) {
        throw new SyntaxException(syntax);
      }
      address = address.substring(colon + 1);
    }
    List<String> parameters = new ArrayList<>();
    for (String p : rest.substring(close + 1).trim().split(" +")) {
      if (!p.isEmpty()) {
        parameters.add(p);
      }
    }
    return new MailPath(address, List.copyOf(parameters));
  }

  /** The domain part, lower-cased; empty for the null path. */
  String domain() {
    int at = address.lastIndexOf('@');
    return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
  }

  /** True if the address has non-ASCII characters (needs SMTPUTF8). */
  boolean needsUtf8() {
    return !address.chars().allMatch(c -> c < 0x80);
  }

  /**
   * Checks the shape of a non-null address: one {@code @} outside quotes, a non-empty local part, a
   * domain of labels or an address literal, no controls or spaces, at most 254 characters.
   *
   * @return null if valid, else a reply line
   */
  String validate() {
    if (address.length() > MAX_ADDRESS_LENGTH) {
      return "501 5.1.3 Address too long";
    }
    int at = address.lastIndexOf('@');
    if (at <= 0 || at == address.length() - 1) {
      return "501 5.1.3 Address must be local-part@domain";
    }
    String local = address.substring(0, at);
    boolean quoted = local.startsWith("\"") && local.endsWith("\"") && local.length() >= 2;
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\uFFFD' || (c == ' ' && !(quoted && i < at))) {
        return "501 5.1.3 Address contains forbidden characters";
      }
    }
    if (!quoted
        && (local.contains("@")
            || local.contains("\"")
            || local.contains("<")
            || local.contains(">"))) {
      return "501 5.1.3 Bad local part";
    }
    String domain = address.substring(at + 1);
    if (domain.startsWith("[")) {
      return domain.endsWith("]") ? null : "501 5.1.3 Bad address literal";
    }
    for (String label : domain.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return "501 5.1.3 Bad domain";
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!(Character.isLetterOrDigit(c) || c == '-')) {
          return "501 5.1.3 Bad domain";
        }
      }
    }
    return null;
  }
}
