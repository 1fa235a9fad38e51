package org.epost.mail.cli;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.epost.mail.daemon.AccountDirectory;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.Enrolments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code epost account [ADDRESS]}: what to type into a mail client. */
@Command(
    name = "account",
    description =
        "Show the mail client settings of the local accounts (or of ADDRESS): IMAP and SMTP"
            + " server, user name and the proxy password.")
final class AccountCommand implements Callable<Integer> {
  @Mixin Epost.DataOption data = new Epost.DataOption();

  @Parameters(arity = "0..1", paramLabel = "ADDRESS", description = "one account (default: all)")
  String address;

  @Override
  public Integer call() throws IOException {
    DataDirectory d = data.existing();
    DaemonConfig config;
    try {
      config = DaemonConfig.load(d.configFile());
    } catch (IllegalArgumentException e) {
      throw new Epost.UserError(d.configFile() + ": " + e.getMessage(), e);
    }
    List<AccountDirectory> list = new ArrayList<>();
    for (AccountDirectory a : d.accounts()) {
      if (address == null || a.address().equalsIgnoreCase(address.trim())) {
        list.add(a);
      }
    }
    if (list.isEmpty()) {
      throw new Epost.UserError(
          (address == null ? "no account" : "no account " + address)
              + " in "
              + d
              + ": create one with 'epost enrol ADDRESS'");
    }
    SecureRandom random = new SecureRandom();
    for (AccountDirectory a : list) {
      for (String line :
          settings(
              a.address(),
              Enrolments.proxyPassword(a, random),
              RunCommand.hostPort(config.imapListen()),
              RunCommand.hostPort(config.smtpListen()))) {
        System.out.println(line);
      }
      if (!java.nio.file.Files.exists(a.entryFile())) {
        System.out.println(
            "  (not signed yet: 'epost ring sign "
                + a.requestFile()
                + "' on the ring operator's machine)");
      }
      System.out.println();
    }
    return 0;
  }

  /** The settings block of one account (also the demo's). */
  static List<String> settings(String address, String password, String imap, String smtp) {
    if (imap == null || smtp == null) {
      return List.of(
          address,
          "  (no IMAP/SMTP listener serves this account in this build)",
          "  user   " + address,
          "  password " + password);
    }
    String imapHost = imap.substring(0, imap.lastIndexOf(':'));
    String imapPort = imap.substring(imap.lastIndexOf(':') + 1);
    String smtpHost = smtp.substring(0, smtp.lastIndexOf(':'));
    String smtpPort = smtp.substring(smtp.lastIndexOf(':') + 1);
    return List.of(
        address,
        "  IMAP   server " + imapHost + "  port " + imapPort + "  security none (loopback)",
        "  SMTP   server " + smtpHost + "  port " + smtpPort + "  security none (loopback)",
        "  user   " + address,
        "  password " + password + "   (normal password, for IMAP and SMTP)",
        "  mutt   set imap_user=\""
            + address
            + "\" imap_pass=\""
            + password
            + "\" folder=\"imap://"
            + imapHost
            + ":"
            + imapPort
            + "/\" spoolfile=\"+INBOX\" smtp_url=\"smtp://"
            + address.replace("@", "%40")
            + "@"
            + smtpHost
            + ":"
            + smtpPort
            + "/\" smtp_pass=\""
            + password
            + "\" from=\""
            + address
            + "\"");
  }
}
