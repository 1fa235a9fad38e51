package org.epost.mail.cli;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.DeliveryStates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code epost mail status MESSAGE-ID}: a sent message's delivery states. */
@Command(
    name = "mail",
    description = "Sent mail.",
    subcommands = {MailCommand.Status.class})
final class MailCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("usage: epost mail status MESSAGE-ID");
    return 2;
  }

  @Command(
      name = "status",
      description =
          "What the delivery ledger says of a sent message, per recipient: queued, stored,"
              + " notified, delivered or failed.")
  static final class Status implements Callable<Integer> {
    @Mixin Epost.DataOption data = new Epost.DataOption();

    @Parameters(paramLabel = "MESSAGE-ID", description = "the Message-ID, with or without <>")
    String messageId;

    @Override
    public Integer call() throws IOException {
      DataDirectory d = data.existing();
      List<String> lines;
      try {
        lines = DeliveryStates.lookup(d, messageId.trim());
      } catch (IOException e) {
        System.err.println(
            "delivery states are not available: "
                + e.getMessage()
                + " (the ledgers are encrypted: start the daemon with 'epost run')");
        return 1;
      }
      if (lines.isEmpty()) {
        System.err.println("no local account sent " + messageId + " (or its ledger entry expired)");
        return 1;
      }
      lines.forEach(System.out::println);
      return 0;
    }
  }
}
