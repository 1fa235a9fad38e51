package org.epost.mail.cli;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import org.epost.mail.daemon.DataDirectory;
import org.epost.overlay.node.NodeControl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code epost status}: asks the running daemon through its node's loopback control port (the token
 * in {@code DATA/node/control}, readable by the owner only) and prints the node, the ring's
 * readiness, the accounts, the listeners and the outbox.
 */
@Command(
    name = "status",
    description = "Show the running daemon: node, ring, accounts, listeners, outbox.")
final class StatusCommand implements Callable<Integer> {
  @Mixin Epost.DataOption data = new Epost.DataOption();

  @Option(names = "--raw", description = "print the control port's lines as they are")
  boolean raw;

  @Option(
      names = "--page",
      description = "print a one-time URL of the local status page (valid 2 minutes, once)")
  boolean page;

  @Option(
      names = "--open",
      description = "open the local status page in the desktop's browser (xdg-open)")
  boolean open;

  @Override
  public Integer call() {
    DataDirectory d = data.existing();
    List<String> lines;
    try {
      lines = NodeControl.call(d.nodeDir(), page || open ? "APP status-page /" : "STATUS", 15_000);
    } catch (IOException e) {
      throw new Epost.UserError(
          "no daemon answers for " + d + " (" + e.getMessage() + "); start it with 'epost run'", e);
    }
    if (!lines.isEmpty() && lines.get(0).startsWith("error")) {
      System.err.println(lines.get(0));
      return 1;
    }
    if (open && !lines.isEmpty() && lines.get(0).startsWith("url ")) {
      try {
        new ProcessBuilder("xdg-open", lines.get(0).substring(4)).inheritIO().start();
        return 0;
      } catch (IOException e) {
        throw new Epost.UserError("cannot start xdg-open: " + e.getMessage(), e);
      }
    }
    if (page || open) {
      lines.forEach(l -> System.out.println(l.startsWith("url ") ? l.substring(4) : l));
      return 0;
    }
    if (raw) {
      lines.forEach(System.out::println);
      return 0;
    }
    for (String line : render(lines)) {
      System.out.println(line);
    }
    return 0;
  }

  /** The human view of the control port's STATUS lines. */
  static List<String> render(List<String> lines) {
    List<String> out = new java.util.ArrayList<>();
    for (String l : lines) {
      String[] w = l.split(" ");
      if (l.startsWith("node ") && w.length >= 4) {
        out.add("node      " + w[1] + " at " + w[2]);
        out.add("ring      " + (w[3].equals("ready=true") ? "joined" : "not joined yet"));
      } else if (l.startsWith("leafset ")) {
        out.add("leaf set  " + w[1] + " members");
      } else if (l.startsWith("epost phase=")) {
        for (String kv : w) {
          if (kv.startsWith("phase=")) {
            out.add("daemon    " + kv.substring(6).replace('-', ' '));
          } else if (kv.startsWith("mail=")) {
            out.add(
                "mail      "
                    + (kv.equals("mail=integrated")
                        ? "integrated"
                        : "not in this build (the node serves the ring only)"));
          } else if (kv.startsWith("outbox=")) {
            out.add("outbox    " + kv.substring(7) + " message(s) waiting for the ring");
          } else if (kv.startsWith("relayQueue=")) {
            out.add("relay     " + kv.substring(11) + " message(s) waiting for the smarthost");
          }
        }
      } else if (l.startsWith("epost account ") && w.length >= 5) {
        String state = l.substring(l.indexOf(" state=") + 7);
        out.add("account   " + w[2] + " " + state + " (" + w[3].replace('=', ' ') + ")");
      } else if (l.startsWith("epost listener ") && w.length >= 4) {
        String name =
            switch (w[2]) {
              case "imap" -> "IMAP      ";
              case "smtp" -> "SMTP      ";
              default -> String.format("%-10s", w[2]);
            };
        out.add(name + w[3]);
      }
    }
    return out;
  }
}
