package org.epost.mail.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.daemon.AccountDirectory;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.Enrolments;
import org.epost.mail.daemon.RingFiles;
import org.epost.post.api.DirectoryException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code epost enrol ADDRESS}: a local account's keys, key file and certificate request. */
@Command(
    name = "enrol",
    description =
        "Create a local account: fresh keys in a passphrase-protected key file, a certificate"
            + " request (signed at once when the ring authority's key is in this data directory),"
            + " and the proxy password mail clients use. With --entry, install the signed entry"
            + " the ring's operator sent back.")
final class EnrolCommand implements Callable<Integer> {
  @Mixin Epost.DataOption data = new Epost.DataOption();
  @Mixin Epost.PassphraseOption passphrase = new Epost.PassphraseOption();

  @Parameters(
      paramLabel = "ADDRESS",
      description = "the account's mail address, e.g. alice@ring.example.org")
  String address;

  @Option(
      names = "--entry",
      paramLabel = "FILE",
      description = "the signed entry from 'epost ring sign' (for an account enrolled before)")
  Path entry;

  @Override
  public Integer call() throws IOException {
    DataDirectory d = data.open();
    AccountDirectory a;
    try {
      a = d.account(address);
    } catch (IllegalArgumentException e) {
      throw new Epost.UserError("'" + address + "' is not a mail address: " + e.getMessage(), e);
    }
    try {
      if (entry != null) {
        if (!Files.exists(a.keyFile())) {
          throw new Epost.UserError(
              a.address()
                  + " has no key file in "
                  + d
                  + ": run 'epost enrol "
                  + a.address()
                  + "' first");
        }
        Enrolments.installEntry(d, a, entry, passphrase.get("passphrase of " + a.address(), false));
        System.out.println("installed the signed entry for " + a.address());
        System.out.println("next: epost run (the account is published at its first start)");
        return 0;
      }
      InitCommand.writeConfig(d, java.util.Map.of());
      char[] pass = passphrase.get("passphrase for " + a.address() + "'s key file", true);
      char[] authority =
          RingFiles.hasAuthorityKey(d)
              ? passphrase.get("passphrase of the ring authority's key", false)
              : null;
      Enrolments.Result r =
          Enrolments.enrol(
              d, address, pass, authority, new SecureRandom(), ScryptParameters.DEFAULT);
      System.out.println("enrolled " + r.account().address() + " in " + r.account().dir());
      if (r.signed()) {
        System.out.println("signed by this data directory's ring authority");
        System.out.println("next: epost run; 'epost account' shows the mail client settings");
      } else {
        System.out.println("request " + r.account().requestFile());
        System.out.println(
            "next: send the request to the ring's operator, who runs 'epost ring sign "
                + r.account().requestFile().getFileName()
                + "'; then 'epost enrol "
                + r.account().address()
                + " --entry FILE'");
      }
      return 0;
    } catch (IOException | DirectoryException | IllegalArgumentException e) {
      throw new Epost.UserError(e.getMessage(), e);
    }
  }
}
