package org.epost.mail.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DataDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code epost gateway}: {@code epost run} with the Internet gateway required (ADR 0128). The
 * options override {@code gateway.listen}, {@code gateway.account} and {@code gateway.hostname} for
 * this start; without {@code --listen} and with no {@code gateway.listen} in the configuration the
 * gateway listens on {@code 0.0.0.0:25}, the SMTP port the ring domains' MX record names.
 */
@Command(
    name = "gateway",
    description =
        "Run the daemon as the ring's Internet gateway: the node, its accounts, and an SMTP"
            + " listener that accepts mail from the Internet for the ring's users only (never an"
            + " open relay), stored as the gateway account. Stops cleanly on SIGTERM or Ctrl-C.")
final class GatewayCommand implements Callable<Integer> {
  /** Where the gateway listens when neither the option nor the configuration says. */
  static final String DEFAULT_LISTEN = "0.0.0.0:25";

  @Mixin Epost.DataOption data = new Epost.DataOption();
  @Mixin Epost.PassphraseOption passphrase = new Epost.PassphraseOption();

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description =
          "where the gateway listens (default: gateway.listen, else " + DEFAULT_LISTEN + ")")
  String listen;

  @Option(
      names = "--account",
      paramLabel = "ADDRESS",
      description =
          "the enrolled account the gateway stores mail as (default: gateway.account, else this"
              + " directory's only account)")
  String account;

  @Option(
      names = "--hostname",
      paramLabel = "NAME",
      description = "the name the gateway greets with: the MX host (default: gateway.hostname)")
  String hostname;

  @Override
  public Integer call() throws IOException, InterruptedException {
    DataDirectory d = data.existing();
    DaemonConfig config = RunCommand.load(d);
    try {
      if (listen != null) {
        config = config.with(DaemonConfig.Key.GATEWAY_LISTEN, listen);
      } else if (config.gatewayListen().isEmpty()) {
        config = config.with(DaemonConfig.Key.GATEWAY_LISTEN, DEFAULT_LISTEN);
      }
      if (account != null) {
        config = config.with(DaemonConfig.Key.GATEWAY_ACCOUNT, account);
      }
      if (hostname != null) {
        config = config.with(DaemonConfig.Key.GATEWAY_HOSTNAME, hostname);
      }
    } catch (IllegalArgumentException e) {
      throw new Epost.UserError(e.getMessage(), e);
    }
    if (d.accounts().isEmpty()) {
      throw new Epost.UserError(
          "the gateway stores mail as an enrolled account and "
              + d.root()
              + " has none; enrol one first: epost enrol gateway@YOUR-DOMAIN",
          null);
    }
    return RunCommand.serve(d, config, passphrase);
  }
}
