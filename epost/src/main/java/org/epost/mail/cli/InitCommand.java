package org.epost.mail.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.RingFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code epost init}: a data directory with the sample configuration; joins a ring if invited. */
@Command(
    name = "init",
    description =
        "Create a data directory with a documented epost.properties; with --invitation, join the"
            + " ring that invitation names.")
final class InitCommand implements Callable<Integer> {
  @Mixin Epost.DataOption data = new Epost.DataOption();

  @Option(
      names = "--invitation",
      paramLabel = "FILE",
      description = "the ring's invitation file (from 'epost ring init' on the operator's machine)")
  Path invitation;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description = "node.listen: where this node listens for the ring")
  String listen;

  @Override
  public Integer call() throws IOException {
    DataDirectory d = data.open();
    Map<DaemonConfig.Key, String> set = new LinkedHashMap<>();
    if (listen != null) {
      set.put(DaemonConfig.Key.NODE_LISTEN, listen);
    }
    writeConfig(d, set);
    if (invitation != null) {
      RingFiles.Invitation inv;
      try {
        inv = RingFiles.readInvitation(invitation);
        RingFiles.writeInvitation(d, inv);
      } catch (IOException e) {
        throw new Epost.UserError(e.getMessage(), e);
      }
      System.out.println(
          "joined ring " + inv.domains() + " through " + inv.bootstraps().size() + " bootstrap(s)");
    }
    System.out.println("data directory " + d.root() + " (configuration: " + d.configFile() + ")");
    return 0;
  }

  /** Writes the sample configuration with {@code set} unless a configuration exists. */
  static boolean writeConfig(DataDirectory d, Map<DaemonConfig.Key, String> set)
      throws IOException {
    try {
      return org.epost.mail.setup.Setup.writeConfig(d, set);
    } catch (IllegalArgumentException e) {
      throw new Epost.UserError(e.getMessage(), e);
    }
  }
}
