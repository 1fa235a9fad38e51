package org.epost.mail.daemon;

import java.nio.file.Path;

/**
 * One local account's directory, {@code DATA/accounts/ADDRESS/} (owner-only):
 *
 * <pre>
 * user.key         the user's keys, an ePOST key file wrapped with the passphrase (scrypt, AES-GCM)
 * request          the certificate request (for the ring's operator when the authority is elsewhere)
 * entry            the directory entry the authority signed (certificate inside)
 * proxy-password   the password mail clients give the local IMAP and SMTP proxies (0600)
 * device           this device's log-writer name, fixed at enrolment
 * enrolled         present once the entry is published and the account log records it
 * post/            the POST services' local state (log high-water marks, writer records)
 * mail/            the mail account's own state (MailAccount's index, caches, UID maps)
 * submit/          the submission side's outbox and delivery ledger
 * </pre>
 */
public record AccountDirectory(Path dir, String address) {
  public Path keyFile() {
    return dir.resolve("user.key");
  }

  public Path requestFile() {
    return dir.resolve("request");
  }

  public Path entryFile() {
    return dir.resolve("entry");
  }

  public Path passwordFile() {
    return dir.resolve("proxy-password");
  }

  public Path deviceFile() {
    return dir.resolve("device");
  }

  public Path enrolledMarker() {
    return dir.resolve("enrolled");
  }

  public Path postState() {
    return dir.resolve("post");
  }

  public Path mailState() {
    return dir.resolve("mail");
  }

  public Path submitState() {
    return dir.resolve("submit");
  }
}
