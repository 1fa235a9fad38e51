package org.epost.mail.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.RingFiles;
import org.epost.mail.setup.PassphraseStore;
import org.epost.mail.setup.Setup;
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

  @Option(
      names = "--start-at-login",
      negatable = true,
      description =
          "store the passphrase so that the daemon starts at login: in the desktop's keyring"
              + " (Secret Service) when there is one, else in DATA/passphrase, owner-only"
              + " (default: asked)")
  Boolean startAtLogin;

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
    try {
      MailAddress addr = Setup.address(address);
      Optional<RingFiles.Invitation> inv =
          invitation == null ? Optional.empty() : Optional.of(RingFiles.readInvitation(invitation));
      char[] pass = passphrase.get("passphrase for your keys (asked twice)", true);
      if (startAtLogin == null) {
        startAtLogin =
            !ask("Start ePOST at login (the passphrase is kept in your keyring)? [Y/n]")
                .toLowerCase(Locale.ROOT)
                .startsWith("n");
      }
      Setup.Outcome r;
      try {
        r = Setup.run(d, inv, addr, pass, new SecureRandom(), ScryptParameters.DEFAULT);
        if (startAtLogin) {
          PassphraseStore.Where where = new PassphraseStore(d.root(), System.getenv()).store(pass);
          System.out.println("passphrase kept in " + where.label + ": ePOST starts at login");
        }
      } finally {
        java.util.Arrays.fill(pass, '\0');
      }
      System.out.println("enrolled " + r.account().address() + " in " + d.root());
      if (r.newRing() || !r.signed()) {
        System.out.println(r.nextStep());
      }
      System.out.println("start ePOST now: epost run (or log in again: the .deb starts it)");
      System.out.println();
      System.out.print(Setup.clientSettings(r.settings(), r.statusPage()));
      return 0;
    } catch (IOException | RuntimeException e) {
      if (e instanceof Epost.UserError u) {
        throw u;
      }
      throw new Epost.UserError(e.getMessage(), e);
    }
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
