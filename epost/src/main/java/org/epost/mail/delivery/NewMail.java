package org.epost.mail.delivery;

import java.util.Objects;

/**
 * A message this node filed into a local account's INBOX whose sender is known (the desktop's
 * new-mail notification, ADR 0133): ring mail whose {@code Authentication-Results} says {@code
 * x-epost-from=pass} (the From header names the ring-certified sender), or Internet mail from a
 * trusted ring gateway, marked as such.
 *
 * @param account the recipient account's address
 * @param uid the message's UID in INBOX
 * @param from the verified sender's address (for Internet mail: the From header's text, unverified)
 * @param subject the decoded Subject, or empty
 * @param fromInternet whether the message came from the Internet through a ring gateway (its sender
 *     was not authenticated; a notification says so)
 */
public record NewMail(String account, long uid, String from, String subject, boolean fromInternet) {
  /** The longest sender and subject a notification shows. */
  public static final int MAX_TEXT = 200;

  public NewMail {
    Objects.requireNonNull(account, "account");
    from = shorten(from);
    subject = shorten(subject);
  }

  private static String shorten(String s) {
    String t = s == null ? "" : s.replaceAll("\\p{Cntrl}", " ").strip();
    return t.length() <= MAX_TEXT ? t : t.substring(0, MAX_TEXT - 1) + "\u2026";
  }
}
