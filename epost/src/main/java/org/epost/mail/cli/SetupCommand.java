package org.epost.mail.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.api.ClientSettings;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.Enrolments;
import org.epost.mail.daemon.RingFiles;
import org.epost.post.api.MailAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code epost setup}: the first run (issue 18, ADR 0134), asking only what it must: a new ring or
 * an invitation to join one, the user's address, a passphrase (asked twice). A new ring's authority
 * key gets the same passphrase (one person, one passphrase) and signs the account at once; a
 * joining account's request goes to the ring's operator. Then it prints the settings for
 * Thunderbird, Apple Mail and mutt. Each question can be answered by an option instead.
 */
@Command(
    name = "setup",
    description =
        "First run: create a ring or join one with an invitation, enrol your address with a"
            + " passphrase, and print the settings for Thunderbird, Apple Mail and mutt.")
final class SetupCommand implements Callable<Integer> {
  @Mixin Epost.DataOption data = new Epost.DataOption();
  @Mixin Epost.PassphraseOption passphrase = new Epost.PassphraseOption();

  @Option(names = "--new-ring", description = "create a new ring (no question)")
  boolean newRing;

  @Option(
      names = "--invitation",
      paramLabel = "FILE",
      description = "join the ring of this invitation file (no question)")
  Path invitation;

  @Option(names = "--address", paramLabel = "ADDRESS", description = "your mail address")
  String address;

  private BufferedReader stdin;

  @Override
  public Integer call() throws IOException {
    DataDirectory d = data.open();
    if (!newRing && invitation == null) {
      String a = ask("Create a new ring (n) or join one with an invitation file (j)? [n/j]");
      if (a.toLowerCase(Locale.ROOT).startsWith("j")) {
        invitation = Path.of(ask("Path of the invitation file"));
      } else {
        newRing = true;
      }
    }
    if (address == null) {
      address = ask("Your mail address (e.g. alice@home.example)");
    }
    MailAddress addr;
    try {
      addr = MailAddress.parse(address.trim());
    } catch (IllegalArgumentException e) {
      throw new Epost.UserError("'" + address + "' is not a mail address: " + e.getMessage(), e);
    }
    String domain = addr.value().substring(addr.value().indexOf('@') + 1);
    SecureRandom random = new SecureRandom();
    InitCommand.writeConfig(d, Map.of());
    DaemonConfig config = RunCommand.load(d);
    try {
      if (invitation != null) {
        RingFiles.writeInvitation(d, RingFiles.readInvitation(invitation));
      }
      char[] pass = passphrase.get("passphrase for your keys (asked twice)", true);
      if (newRing) {
        SigningPublicKey key = RingFiles.initAuthority(d, pass, random, ScryptParameters.DEFAULT);
        RingFiles.writeInvitation(
            d, new RingFiles.Invitation(key, List.of(config.nodeListen()), List.of(domain)));
      }
      Enrolments.Result r =
          Enrolments.enrol(
              d, addr.value(), pass, newRing ? pass : null, random, ScryptParameters.DEFAULT);
      java.util.Arrays.fill(pass, '\0');
      String password = Enrolments.proxyPassword(r.account(), random);
      System.out.println("enrolled " + r.account().address() + " in " + d.root());
      if (newRing) {
        System.out.println(
            "ring created for "
                + domain
                + "; share this invitation with the people who join: "
                + d.ringDir().resolve("invitation")
                + " (set node.listen to an address they can reach first)");
      } else if (!r.signed()) {
        System.out.println(
            "send "
                + r.account().requestFile()
                + " to the ring's operator ('epost ring sign'); then 'epost enrol "
                + r.account().address()
                + " --entry FILE'");
      }
      System.out.println("start ePOST: epost run (or log in again: the .deb starts it)");
      System.out.println();
      System.out.print(
          clientSettings(
              new ClientSettings(
                  r.account().address(), password, config.imapListen(), config.smtpListen()),
              config.statusListen()));
      return 0;
    } catch (IOException | RuntimeException e) {
      if (e instanceof Epost.UserError u) {
        throw u;
      }
      throw new Epost.UserError(e.getMessage(), e);
    }
  }

  /** The settings for Thunderbird, Apple Mail and mutt. */
  static String clientSettings(ClientSettings c, java.util.Optional<InetSocketAddress> status) {
    StringBuilder b = new StringBuilder();
    b.append("== Any mail client ==\n").append(c.text(true)).append('\n');
    b.append("== Thunderbird ==\nAdd a mail account with your name, ")
        .append(c.address())
        .append(
            " and the password above; choose \"Configure manually\" and enter the servers above")
        .append(" (connection security None, authentication Normal password).");
    status.ifPresent(
        s ->
            b.append(
                    " The settings are also served as Thunderbird's autoconfig document at http://")
                .append(RunCommand.hostPort(s))
                .append("/mail/config-v1.1.xml?emailaddress=")
                .append(c.address()));
    b.append("\n\n== Apple Mail ==\nMail > Add Account > Other Mail Account: ")
        .append(c.address())
        .append(", the password above; Account type IMAP, incoming and outgoing server ")
        .append(c.imapHost())
        .append("; then in Settings > Accounts > Server Settings untick \"Automatically manage\"")
        .append(" and set IMAP port ")
        .append(c.imap().getPort())
        .append(" and SMTP port ")
        .append(c.smtp().getPort())
        .append(", TLS off.\n\n== mutt / neomutt (~/.muttrc) ==\n")
        .append("set folder = \"imap://")
        .append(c.address().replace("@", "%40"))
        .append("@")
        .append(c.imapHost())
        .append(":")
        .append(c.imap().getPort())
        .append("/\"\nset spoolfile = \"+INBOX\"\nset imap_pass = \"")
        .append(c.password())
        .append("\"\nset smtp_url = \"smtp://")
        .append(c.address().replace("@", "%40"))
        .append("@")
        .append(c.smtpHost())
        .append(":")
        .append(c.smtp().getPort())
        .append("/\"\nset smtp_pass = \"")
        .append(c.password())
        .append("\"\nset from = \"")
        .append(c.address())
        .append("\"\nset ssl_starttls = no\nset ssl_force_tls = no\n");
    return b.toString();
  }

  private String ask(String question) throws IOException {
    System.out.print(question + ": ");
    System.out.flush();
    if (stdin == null) {
      stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
    String line = stdin.readLine();
    if (line == null || line.isBlank()) {
      throw new Epost.UserError("no answer to: " + question);
    }
    return line.trim();
  }
}
