package org.epost.mail.setup;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.api.ClientSettings;
import org.epost.mail.daemon.AccountDirectory;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.Enrolments;
import org.epost.mail.daemon.RingFiles;
import org.epost.post.api.MailAddress;

/**
 * The first run's steps (ADR 0134, 0145), shared by {@code epost setup} and the first-run page:
 * create a ring (its authority, with the user's passphrase, signs the account at once; the
 * invitation to share is written) or join one with an invitation, enrol the address with the
 * passphrase, make the proxy password; then the settings for Thunderbird, Apple Mail and mutt.
 * Neither asks anything: the callers ask, this does.
 */
public final class Setup {
  private Setup() {}

  /** What a first run made. */
  public record Outcome(
      AccountDirectory account,
      boolean newRing,
      boolean signed,
      Path invitationFile,
      ClientSettings settings,
      Optional<InetSocketAddress> statusPage) {
    /** The invitation to share (a new ring's), as text. */
    public String invitationText() throws IOException {
      return Files.readString(invitationFile, StandardCharsets.UTF_8);
    }

    /** What happens next, in one or two sentences. */
    public String nextStep() {
      if (newRing) {
        return "ring created for "
            + settings.domain()
            + "; share the invitation ("
            + invitationFile
            + ") with the people who join; they reach your node at the bootstrap address it"
            + " names (set node.listen to an address they can reach first).";
      }
      if (!signed) {
        return "Send "
            + account.requestFile()
            + " to the ring's operator ('epost ring sign'); then 'epost enrol "
            + account.address()
            + " --entry FILE'.";
      }
      return "Enrolled.";
    }
  }

  /**
   * Whether {@code root} has not been set up yet: no ring (no {@code ring/authority.pub}) and no
   * account. A node that ever ran belongs to a ring.
   */
  public static boolean needed(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return true;
    }
    DataDirectory d = DataDirectory.existing(root);
    return !Files.exists(d.ringDir().resolve("authority.pub")) && d.accounts().isEmpty();
  }

  /**
   * Writes the sample configuration with {@code set} unless a configuration exists; true when it
   * wrote one.
   *
   * @throws IllegalArgumentException if a configuration exists and {@code set} is not empty, or a
   *     value is not valid
   */
  public static boolean writeConfig(DataDirectory d, Map<DaemonConfig.Key, String> set)
      throws IOException {
    if (Files.exists(d.configFile())) {
      if (!set.isEmpty()) {
        throw new IllegalArgumentException(
            d.configFile() + " exists; edit it to change " + set.keySet().iterator().next().key());
      }
      return false;
    }
    String text = DaemonConfig.sample(set);
    DaemonConfig.parseText(text); // what we write must load
    Files.writeString(d.configFile(), text, StandardCharsets.UTF_8);
    return true;
  }

  /** The address typed by the user, parsed. */
  public static MailAddress address(String typed) {
    try {
      return MailAddress.parse(typed.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + typed + "' is not a mail address: " + e.getMessage(), e);
    }
  }

  /**
   * Sets {@code d} up: a new ring for {@code address}'s domain when {@code invitation} is empty,
   * else joins the invitation's ring; enrols {@code address} with {@code passphrase} (not kept).
   *
   * @throws IOException if a file cannot be written, or {@code d} belongs to another ring
   */
  public static Outcome run(
      DataDirectory d,
      Optional<RingFiles.Invitation> invitation,
      MailAddress address,
      char[] passphrase,
      SecureRandom random,
      ScryptParameters scrypt)
      throws IOException {
    writeConfig(d, Map.of());
    DaemonConfig config = DaemonConfig.load(d.configFile());
    boolean newRing = invitation.isEmpty();
    char[] pass = Arrays.copyOf(passphrase, passphrase.length);
    try {
      if (newRing) {
        String domain = address.value().substring(address.value().indexOf('@') + 1);
        SigningPublicKey key = RingFiles.initAuthority(d, pass, random, scrypt);
        RingFiles.writeInvitation(
            d, new RingFiles.Invitation(key, List.of(config.nodeListen()), List.of(domain)));
      } else {
        RingFiles.writeInvitation(d, invitation.get());
      }
      Enrolments.Result r =
          Enrolments.enrol(d, address.value(), pass, newRing ? pass : null, random, scrypt);
      String password = Enrolments.proxyPassword(r.account(), random);
      return new Outcome(
          r.account(),
          newRing,
          r.signed(),
          d.ringDir().resolve("invitation"),
          new ClientSettings(
              r.account().address(), password, config.imapListen(), config.smtpListen()),
          config.statusListen());
    } finally {
      Arrays.fill(pass, '\0');
    }
  }

  /** The settings for any client, Thunderbird, Apple Mail and mutt, as text. */
  public static String clientSettings(ClientSettings c, Optional<InetSocketAddress> status) {
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
                .append(s.getAddress().getHostAddress())
                .append(':')
                .append(s.getPort())
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
}
