package org.epost.mail.api;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What a mail client needs to reach one local account through the daemon's proxies: IMAP and SMTP
 * submission on loopback, plain (no TLS: the connection never leaves the machine), the address as
 * the user name and the account's proxy password.
 *
 * @param address the account's address (also the user name)
 * @param password the account's proxy password (DATA/accounts/ADDRESS/proxy-password)
 * @param imap where the IMAP proxy listens
 * @param smtp where SMTP submission listens
 */
public record ClientSettings(
    String address, String password, InetSocketAddress imap, InetSocketAddress smtp) {
  public ClientSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(imap, "imap");
    Objects.requireNonNull(smtp, "smtp");
  }

  /** The address's domain. */
  public String domain() {
    return address.substring(address.indexOf('@') + 1);
  }

  /** The IMAP host as a client types it. */
  public String imapHost() {
    return imap.getAddress().getHostAddress();
  }

  /** The SMTP host as a client types it. */
  public String smtpHost() {
    return smtp.getAddress().getHostAddress();
  }

  /**
   * The settings as text to paste into a mail client's manual setup; {@code withPassword}: with the
   * password line.
   */
  public String text(boolean withPassword) {
    return "Email address: "
        + address
        + "\nIMAP server: "
        + imapHost()
        + "  port "
        + imap.getPort()
        + "  connection security: none  authentication: normal password\nSMTP server: "
        + smtpHost()
        + "  port "
        + smtp.getPort()
        + "  connection security: none  authentication: normal password\nUser name: "
        + address
        + "\n"
        + (withPassword ? "Password: " + password + "\n" : "");
  }
}
